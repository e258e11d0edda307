/**
 * @module test/store/contract/event-ids
 * Contract cases for idempotent sends (ClientMessage.eventId): a retried
 * raise is queued once, a different event under the same ID is refused, and
 * the IDs live exactly as long as their instance.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientMessage } from '../store.ts';
import { T0, claimInstance, commitFor, commitOk, createWithStatus, raised, startRequest, type StoreHarness } from './fixtures.ts';

function raise(instanceId: string, id: string, fingerprint: string, data: unknown = fingerprint): ClientMessage {
  return { instanceId, event: raised('approval', data), requireStatus: ['Pending', 'Running'], eventId: { id, fingerprint }, now: T0 };
}

export function describeEventIds(h: StoreHarness): void {
  describe('send with an event ID', () => {
    it('queues a retried raise once, and refuses a different event under the same ID', async () => {
      await h.store.createInstances([startRequest('a'), startRequest('b')]);
      assert.deepEqual(await h.store.send([raise('a', 'k1', 'f1')]), [{ outcome: 'sent' }]);
      assert.deepEqual(await h.store.send([raise('a', 'k1', 'f1')]), [{ outcome: 'duplicate' }]);
      assert.deepEqual(await h.store.send([raise('a', 'k1', 'f2')]), [{ outcome: 'eventIdConflict' }]);
      assert.deepEqual(await h.store.send([raise('b', 'k1', 'f2')]), [{ outcome: 'sent' }], 'IDs are per instance');
      assert.deepEqual(
        await h.store.send([raise('a', 'k2', 'f3'), raise('a', 'k2', 'f3'), raise('a', 'k2', 'f4')]),
        [{ outcome: 'sent' }, { outcome: 'duplicate' }, { outcome: 'eventIdConflict' }],
        'a batch decides in request order',
      );
      const item = await claimInstance(h.store, 'a');
      assert.deepEqual(
        item.messages.map((m) => (m.event.type === 'EventRaised' ? m.event.input : m.event.type)),
        ['ExecutionStarted', 'f1', 'f3'],
      );
    });

    it('recognises a retry after the instance finished, and forgets IDs when it is purged or replaced', async () => {
      await createWithStatus(h.store, [startRequest('a')], 'Running');
      assert.deepEqual(await h.store.send([raise('a', 'k', 'f')]), [{ outcome: 'sent' }]);
      const item = await claimInstance(h.store, 'a', T0 + 1);
      await commitOk(h.store, commitFor(item, { runtimeStatus: 'Completed', now: T0 + 1 }));
      assert.deepEqual(await h.store.send([raise('a', 'k', 'f')]), [{ outcome: 'duplicate' }], 'the first raise was accepted');
      assert.deepEqual((await h.store.send([raise('a', 'k2', 'f')]))[0]?.outcome, 'wrongStatus');

      await h.store.createInstances([startRequest('a', { reuseStatuses: ['Completed'], now: T0 + 2 })]);
      assert.deepEqual(await h.store.send([raise('a', 'k', 'f')]), [{ outcome: 'sent' }], 'a replaced instance starts afresh');

      await createWithStatus(h.store, [startRequest('p')], 'Completed');
      await h.store.purge({ instanceId: 'p' });
      await h.store.createInstances([startRequest('p', { now: T0 + 3 })]);
      assert.deepEqual(await h.store.send([raise('p', 'k', 'f')]), [{ outcome: 'sent' }], 'a purged instance keeps no IDs');
    });

    it('delivers once when many concurrent sends carry the same ID', async () => {
      await h.store.createInstances([startRequest('a')]);
      const results = await Promise.all(Array.from({ length: 20 }, () => h.store.send([raise('a', 'same', 'f')])));
      const outcomes = results.map((r) => r[0]?.outcome);
      assert.equal(outcomes.filter((o) => o === 'sent').length, 1, String(outcomes));
      assert.equal(outcomes.filter((o) => o === 'duplicate').length, 19, String(outcomes));
      const item = await claimInstance(h.store, 'a');
      assert.equal(item.messages.filter((m) => m.event.type === 'EventRaised').length, 1);
    });
  });

  describe('checkHealth', () => {
    it('reports a working store as writable', async () => {
      assert.deepEqual(await h.store.checkHealth(), { writable: true });
      await h.store.createInstances([startRequest('a')]);
      assert.deepEqual(await h.store.checkHealth(), { writable: true });
    });
  });
}
