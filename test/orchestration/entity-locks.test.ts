/**
 * @module test/orchestration/entity-locks.test
 * What an ending execution releases: the lock sets it asked for and did not
 * release, each as one release to its first entity that travels the set.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heldLockSets, lockReleases } from '../../src/orchestration/entity-locks.ts';

const lock = (lockSet: string[]) => ({
  instanceId: lockSet[0]!,
  name: 'op',
  input: { kind: 'lock', id: 'l', parent: 'p', lockSet, position: 0 },
});
const release = (entity: string) => ({ instanceId: entity, name: 'op', input: { kind: 'release', id: 'r', parent: 'p' } });
const call = (entity: string) => ({ instanceId: entity, name: 'op', input: { kind: 'call', id: 'c', op: 'get', parent: 'p' } });

describe('heldLockSets', () => {
  it('keeps a lock set that was never released, whether or not its lock was granted', () => {
    assert.deepEqual(heldLockSets([lock(['@a@1', '@a@2']), call('@a@1')]), [['@a@1', '@a@2']]);
  });

  it('drops a released set, and keeps the second of two sets', () => {
    const sent = [lock(['@a@1', '@a@2']), release('@a@1'), release('@a@2'), lock(['@b@1']), call('@b@1')];
    assert.deepEqual(heldLockSets(sent), [['@b@1']]);
  });

  it('ignores events that are not entity requests', () => {
    assert.deepEqual(
      heldLockSets([
        { instanceId: 'x', name: 'op', input: 'not a request' },
        { instanceId: '@a@1', name: 'other' },
      ]),
      [],
    );
  });
});

describe('lockReleases', () => {
  it('sends one release per set to its first entity, carrying the set so it travels on', () => {
    const [message, ...rest] = lockReleases({ instanceId: 'p', executionId: 'e1' }, [['@a@1', '@a@2']], '2026-01-01T00:00:00.000Z');
    assert.equal(rest.length, 0);
    assert.equal(message!.instanceId, '@a@1');
    assert.deepEqual(message!.event, {
      type: 'EventRaised',
      timestamp: '2026-01-01T00:00:00.000Z',
      name: 'op',
      input: { kind: 'release', id: 'e1:release:0', parent: 'p', parentExecutionId: 'e1', lockSet: ['@a@1', '@a@2'], position: 0 },
    });
  });
});
