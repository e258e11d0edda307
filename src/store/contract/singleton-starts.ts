/**
 * @module test/store/contract/singleton-starts
 * Contract cases for the singleton start features decided inside
 * createInstances: request IDs, name and input mismatch, signal-with-start,
 * and queueLatest's pending start begun by the commit that ends the instance.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TERMINAL_STATUSES } from '../../model/runtime-status.ts';
import {
  T0,
  claimInstance,
  commitFor,
  commitOk,
  createWithStatus,
  eventTypes,
  raised,
  startRequest,
  type StoreHarness,
} from './fixtures.ts';

export function describeSingletonStarts(h: StoreHarness): void {
  describe('createInstances: singleton features', () => {
    it('a repeated requestId answers existing with sameRequest, whatever the policy and status', async () => {
      const [first] = await h.store.createInstances([startRequest('a', { requestId: 'r1' })]);
      assert.equal(first?.outcome, 'created');
      const [again] = await h.store.createInstances([startRequest('a', { requestId: 'r1', now: T0 + 1 })]);
      assert.deepEqual(again, { outcome: 'existing', instance: first?.instance, sameRequest: true });
      const [other] = await h.store.createInstances([startRequest('a', { requestId: 'r2', now: T0 + 1 })]);
      assert.equal(other?.outcome, 'conflict');
      assert.equal(other?.outcome === 'conflict' && other.reason, 'exists');
      // Finished and reusable: a retry of the starting request still does not replace it.
      await h.store.createInstances([startRequest('b', { requestId: 'r1' })]);
      const item = await claimInstance(h.store, 'b');
      await commitOk(h.store, commitFor(item, { runtimeStatus: 'Completed' }));
      const [retry] = await h.store.createInstances([startRequest('b', { requestId: 'r1', reuseStatuses: [...TERMINAL_STATUSES] })]);
      assert.equal(retry?.outcome, 'existing');
      assert.equal(retry?.outcome === 'existing' && retry.sameRequest, true);
    });

    it('useExisting refuses an instance of another orchestration (nameMismatch)', async () => {
      await h.store.createInstances([startRequest('a')]);
      const [result] = await h.store.createInstances([startRequest('a', { name: 'Other', onConflict: 'useExisting' })]);
      assert.equal(result?.outcome, 'conflict');
      assert.equal(result?.outcome === 'conflict' && result.reason, 'nameMismatch');
      assert.equal(result?.instance.name, 'Orchestrator');
    });

    it("onInputMismatch 'error' compares the stored input digest", async () => {
      await h.store.createInstances([startRequest('a', { inputHash: 'h1' })]);
      const same = startRequest('a', { inputHash: 'h1', onConflict: 'useExisting', onInputMismatch: 'error' });
      const other = startRequest('a', { inputHash: 'h2', onConflict: 'useExisting', onInputMismatch: 'error' });
      const lax = startRequest('a', { inputHash: 'h2', onConflict: 'useExisting' });
      const [a, b, c] = await h.store.createInstances([same, other, lax]);
      assert.equal(a?.outcome, 'existing');
      assert.equal(b?.outcome === 'conflict' && b.reason, 'inputMismatch');
      assert.equal(c?.outcome, 'existing');
    });

    it('signal-with-start queues the event after ExecutionStarted, or to the live instance', async () => {
      const [created] = await h.store.createInstances([startRequest('a', { event: raised('go', 1) })]);
      assert.equal(created?.outcome, 'created');
      const [joined] = await h.store.createInstances([startRequest('a', { onConflict: 'useExisting', event: raised('go', 2) })]);
      assert.equal(joined?.outcome === 'existing' && joined.eventDelivered, true);
      const item = await claimInstance(h.store, 'a');
      assert.deepEqual(eventTypes(item), ['ExecutionStarted', 'EventRaised', 'EventRaised']);
      assert.deepEqual(
        item.messages.slice(1).map((m) => (m.event.type === 'EventRaised' ? m.event.input : undefined)),
        [1, 2],
      );
      await commitOk(h.store, commitFor(item, { runtimeStatus: 'Completed' }));
      const [late] = await h.store.createInstances([startRequest('a', { onConflict: 'useExisting', event: raised('go', 3) })]);
      assert.equal(late?.outcome === 'existing' && late.eventDelivered, false);
    });

    it('a leased signal-with-start hands out the event in its work item (stores that lease at start)', async () => {
      const lease = { owner: 'host-a', expiresAt: T0 + 30_000 };
      const [result] = await h.store.createInstances([startRequest('a', { lease, event: raised('go') })]);
      assert.equal(result?.outcome, 'created');
      // A store may ignore the lease; then the claim hands out both messages.
      const item = result?.outcome === 'created' && result.workItem ? result.workItem : await claimInstance(h.store, 'a');
      assert.deepEqual(eventTypes(item), ['ExecutionStarted', 'EventRaised']);
    });

    it('queueLatest keeps the newest pending start and begins it when the instance ends', async () => {
      await h.store.createInstances([startRequest('a', { input: 0 })]);
      const queued = [1, 2, 3].map((n) => startRequest('a', { input: n, onConflict: 'queueLatest', now: T0 + n }));
      const results = await h.store.createInstances(queued);
      assert.deepEqual(
        results.map((r) => r.outcome),
        ['queued', 'queued', 'queued'],
      );
      const pending = await h.store.getPendingStart('a');
      assert.equal(pending?.input, 3);
      assert.equal(pending?.executionId, queued[2]!.executionId);
      const item = await claimInstance(h.store, 'a');
      await commitOk(h.store, commitFor(item, { runtimeStatus: 'Completed', now: T0 + 10 }));
      assert.equal(await h.store.getPendingStart('a'), undefined);
      const next = await h.store.getInstance('a');
      assert.equal(next?.runtimeStatus, 'Pending');
      assert.equal(next?.input, 3);
      assert.equal(next?.executionId, queued[2]!.executionId);
      const second = await claimInstance(h.store, 'a', T0 + 10);
      assert.deepEqual(eventTypes(second), ['ExecutionStarted']);
    });

    it('queueLatest on a finished instance starts at once; a Running commit keeps the pending start', async () => {
      await createWithStatus(h.store, [startRequest('done')], 'Completed');
      const [started] = await h.store.createInstances([
        startRequest('done', { onConflict: 'queueLatest', reuseStatuses: [...TERMINAL_STATUSES] }),
      ]);
      assert.equal(started?.outcome, 'replaced');
      await h.store.createInstances([startRequest('live')]);
      await h.store.createInstances([startRequest('live', { onConflict: 'queueLatest' })]);
      const item = await claimInstance(h.store, 'live');
      await commitOk(h.store, commitFor(item, { runtimeStatus: 'Running' }));
      assert.ok(await h.store.getPendingStart('live'));
    });
  });
}
