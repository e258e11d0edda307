/**
 * @module test/store/contract/versions
 * Contract cases for orchestration versioning as the store sees it: the
 * version of a start, of a child start and of a continue-as-new is kept on
 * the ExecutionStarted message as it is, and a turn handed back with
 * `retryAt` (a host whose version refuses it) is claimable by no one until then.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionStartedEvent } from '../../model/history.ts';
import type { OrchestrationWorkItem } from '../store.ts';
import { LEASE_MS, T0, claimInstance, commitFor, commitOk, orchestratorStarted, startRequest, type StoreHarness } from './fixtures.ts';

function startedOf(item: OrchestrationWorkItem): ExecutionStartedEvent | undefined {
  const event = item.messages.find((m) => m.event.type === 'ExecutionStarted')?.event;
  return event?.type === 'ExecutionStarted' ? event : undefined;
}

export function describeVersions(h: StoreHarness): void {
  describe('orchestration versions', () => {
    it('keeps the version of a start, a child start and a continue-as-new on ExecutionStarted', async () => {
      await h.store.createInstances([startRequest('a', { version: '1.0' })]);
      const first = await claimInstance(h.store, 'a');
      assert.equal(startedOf(first)?.version, '1.0');
      const child = startRequest('a:0', { version: '1.5', parent: { instanceId: 'a', executionId: first.executionId, taskId: 0 } });
      await commitOk(
        h.store,
        commitFor(first, { newEvents: [orchestratorStarted(), startedOf(first)!], childStarts: [{ request: child }] }),
      );
      assert.equal(startedOf(await claimInstance(h.store, 'a:0'))?.version, '1.5');
      await h.store.send([
        { instanceId: 'a', event: { type: 'EventRaised', timestamp: '', name: 'go' }, requireStatus: ['Running'], now: T0 },
      ]);
      const second = await claimInstance(h.store, 'a');
      await commitOk(
        h.store,
        commitFor(second, {
          newEvents: [orchestratorStarted()],
          runtimeStatus: 'ContinuedAsNew',
          continueAsNew: { executionId: 'exec-2', input: 2, version: '2.0', carryover: [] },
        }),
      );
      assert.equal(startedOf(await claimInstance(h.store, 'a'))?.version, '2.0');
    });

    it('hides a turn handed back with retryAt from every claim until then, its delivery given back', async () => {
      await h.store.createInstances([startRequest('a')]);
      const item = await claimInstance(h.store, 'a');
      await h.store.abandonOrchestrations([item], { retryAt: T0 + 1_000 });
      const early = await h.store.claimOrchestrations({ owner: 'other', leaseMs: LEASE_MS, limit: 10, now: T0 + 999 });
      assert.deepEqual(early, [], 'no host claims it before retryAt');
      assert.equal(await h.store.nextWakeAt(T0), T0 + 1_000, 'hosts wake when it is claimable again');
      const again = await claimInstance(h.store, 'a', T0 + 1_000, 'other');
      assert.equal(again.deliveries, 1, 'a refused turn never ran: its delivery is given back');
      assert.equal(startedOf(again)?.type, 'ExecutionStarted', 'its messages are all still there');
    });
  });
}
