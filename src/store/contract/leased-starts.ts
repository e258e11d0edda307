/**
 * @module test/store/contract/leased-starts
 * Contract cases for starts that ask for a lease (the starting host runs the
 * first turn without a claim). A store may ignore the lease; if it honours
 * it, the work item must be exactly what a claim would have handed out, and
 * the lease must fence like a claimed one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrchestrationWorkItem } from '../store.ts';
import {
  LEASE_MS,
  T0,
  claimInstance,
  commitFor,
  commitOk,
  createWithStatus,
  orchestratorStarted,
  startRequest,
  type StoreHarness,
} from './fixtures.ts';

const lease = { owner: 'starter', expiresAt: T0 + LEASE_MS };

export function describeLeasedStarts(h: StoreHarness): void {
  describe('createInstances with a lease', () => {
    it('hands back the first turn as a claim would, or leaves it to be claimed', async () => {
      const request = startRequest('a', { input: { n: 7 }, lease });
      const [result] = await h.store.createInstances([request]);
      assert.equal(result?.outcome, 'created');
      if (result?.outcome !== 'created' || !result.workItem) {
        await claimInstance(h.store, 'a');
        return;
      }
      const item = result.workItem;
      assert.deepEqual(
        { ...item, messages: [] },
        {
          instanceId: 'a',
          name: 'Orchestrator',
          executionId: request.executionId,
          runtimeStatus: 'Pending',
          historyLength: 0,
          leaseToken: item.leaseToken,
          deliveries: 1,
          messages: [],
        },
      );
      assert.equal(item.messages.length, 1);
      assert.equal(item.messages[0]?.executionId, request.executionId);
      assert.deepEqual(JSON.parse(JSON.stringify(item.messages[0]?.event)), {
        type: 'ExecutionStarted',
        timestamp: new Date(T0).toISOString(),
        name: 'Orchestrator',
        executionId: request.executionId,
        input: { n: 7 },
      });
      await commitOk(h.store, commitFor(item, { newEvents: [orchestratorStarted()] }));
      assert.equal((await h.store.getInstance('a'))?.runtimeStatus, 'Running');
      assert.deepEqual(
        await h.store.claimOrchestrations({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 }),
        [],
        'the start message was consumed',
      );
    });

    it('is not claimable by others until the lease expires, and then fences the starter out', async () => {
      const [result] = await h.store.createInstances([startRequest('a', { lease })]);
      const item = workItemOf(result);
      if (!item) return;
      assert.deepEqual(await h.store.claimOrchestrations({ owner: 'other', leaseMs: LEASE_MS, limit: 10, now: lease.expiresAt - 1 }), []);
      const taken = await claimInstance(h.store, 'a', lease.expiresAt, 'other');
      assert.ok(taken.leaseToken > item.leaseToken);
      assert.deepEqual(await h.store.commitOrchestrations([commitFor(item)]), [{ ok: false, reason: 'leaseLost' }]);
      await commitOk(h.store, commitFor(taken));
    });

    it('hands the lease back on abandon, so another worker claims at once', async () => {
      const [result] = await h.store.createInstances([startRequest('a', { lease })]);
      const item = workItemOf(result);
      if (!item) return;
      await h.store.abandonOrchestrations([item]);
      assert.equal((await claimInstance(h.store, 'a', T0, 'other')).messages.length, 1);
    });

    it('leases a replacing start too, fencing a worker still on the old execution', async () => {
      await createWithStatus(h.store, [startRequest('a')], 'Running');
      await h.store.send([
        {
          instanceId: 'a',
          event: { type: 'EventRaised', timestamp: new Date(T0).toISOString(), name: 'e' },
          requireStatus: ['Running'],
          now: T0,
        },
      ]);
      const old = await claimInstance(h.store, 'a');
      const [result] = await h.store.createInstances([startRequest('a', { onConflict: 'terminateExisting', lease })]);
      assert.equal(result?.outcome, 'replaced');
      assert.deepEqual(await h.store.commitOrchestrations([commitFor(old)]), [{ ok: false, reason: 'leaseLost' }]);
      const item = workItemOf(result);
      if (!item) return;
      assert.deepEqual(
        item.messages.map((m) => m.event.type),
        ['ExecutionStarted'],
      );
      await commitOk(h.store, commitFor(item));
    });

    it('never leases a delayed start ahead', async () => {
      const [result] = await h.store.createInstances([startRequest('a', { visibleAt: T0 + 1000, lease })]);
      assert.equal(workItemOf(result), undefined);
      assert.deepEqual(await h.store.claimOrchestrations({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 + 999 }), []);
      assert.equal((await claimInstance(h.store, 'a', T0 + 1000)).messages.length, 1);
    });

    it('hands back no work item for an existing instance', async () => {
      await h.store.createInstances([startRequest('a')]);
      const [result] = await h.store.createInstances([startRequest('a', { onConflict: 'useExisting', lease })]);
      assert.equal(result?.outcome, 'existing');
      assert.equal(workItemOf(result), undefined);
      assert.equal((await claimInstance(h.store, 'a')).messages.length, 1);
    });
  });
}

function workItemOf(result: { outcome: string; workItem?: OrchestrationWorkItem } | undefined): OrchestrationWorkItem | undefined {
  return result && 'workItem' in result ? result.workItem : undefined;
}
