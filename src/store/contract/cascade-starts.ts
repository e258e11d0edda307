/**
 * @module test/store/contract/cascade-starts
 * Contract cases for the store's part of cascading cancellation: an
 * execution timeout queued with the start (visible only when due, kept
 * across continue-as-new, dropped by a replacement), and a
 * `terminateExisting` replacement of a live child that tells the replaced
 * execution's parent in the same transaction.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InboxEvent } from '../../model/history.ts';
import { TERMINAL_STATUSES } from '../../model/runtime-status.ts';
import { REPLACED_REASON } from '../replaced-parent.ts';
import { T0, claimInstance, commitFor, commitOk, eventTypes, orchestratorStarted, startRequest, type StoreHarness } from './fixtures.ts';

const DEADLINE = T0 + 60_000;
const timeout: InboxEvent = { type: 'ExecutionTerminated', timestamp: new Date(DEADLINE).toISOString(), reason: 'timed out' };

export function describeCascadeStarts(h: StoreHarness): void {
  describe('execution timeouts and replaced children', () => {
    it('queues the deadline with the start, visible only when it falls due', async () => {
      await h.store.createInstances([startRequest('t', { deadline: { at: DEADLINE, event: timeout } })]);
      const first = await claimInstance(h.store, 't');
      assert.deepEqual(eventTypes(first), ['ExecutionStarted']);
      await commitOk(h.store, commitFor(first, { newEvents: [orchestratorStarted()] }));
      assert.equal(await h.store.nextWakeAt(T0), DEADLINE);
      const due = await claimInstance(h.store, 't', DEADLINE);
      assert.deepEqual(
        due.messages.map((m) => m.event),
        [timeout],
      );
      assert.equal(due.messages[0]?.executionId, undefined, 'instance-wide, so a continue-as-new keeps it');
    });

    it('keeps the deadline across continue-as-new, and a replacement drops it', async () => {
      await h.store.createInstances([startRequest('c', { deadline: { at: DEADLINE, event: timeout } })]);
      const first = await claimInstance(h.store, 'c');
      const continueAsNew = { executionId: 'c-next', input: 1, carryover: [] };
      await commitOk(h.store, commitFor(first, { newEvents: [orchestratorStarted()], runtimeStatus: 'ContinuedAsNew', continueAsNew }));
      await commitOk(h.store, commitFor(await claimInstance(h.store, 'c'), { newEvents: [orchestratorStarted()] }));
      assert.deepEqual(eventTypes(await claimInstance(h.store, 'c', DEADLINE)), ['ExecutionTerminated']);

      await h.store.createInstances([startRequest('r', { deadline: { at: DEADLINE, event: timeout } })]);
      await h.store.createInstances([startRequest('r', { onConflict: 'terminateExisting', reuseStatuses: TERMINAL_STATUSES })]);
      const replaced = await claimInstance(h.store, 'r');
      await commitOk(h.store, commitFor(replaced, { newEvents: [orchestratorStarted()] }));
      const later = await h.store.claimOrchestrations({ owner: 'w', leaseMs: 1000, limit: 10, now: DEADLINE + 1 });
      assert.deepEqual(
        later.filter((item) => item.instanceId === 'r'),
        [],
        "the replaced execution's deadline is gone",
      );
    });

    for (const ran of [false, true]) {
      it(`tells a replaced live child's parent its task was terminated (${ran ? 'after' : 'before'} its first turn)`, async () => {
        await h.store.createInstances([startRequest('p')]);
        await commitOk(h.store, commitFor(await claimInstance(h.store, 'p'), { newEvents: [orchestratorStarted()] }));
        const parent = { instanceId: 'p', executionId: (await h.store.getInstance('p'))!.executionId, taskId: 4 };
        await h.store.createInstances([startRequest('child', { parent })]);
        if (ran) {
          // As a worker's first turn does: the start is recorded in history, and the queued message consumed.
          const first = await claimInstance(h.store, 'child');
          await commitOk(h.store, commitFor(first, { newEvents: [orchestratorStarted(), first.messages[0]!.event] }));
        }
        const newParent = { instanceId: 'other', executionId: 'other-exec', taskId: 9 };
        const [result] = await h.store.createInstances([
          startRequest('child', { onConflict: 'terminateExisting', reuseStatuses: TERMINAL_STATUSES, parent: newParent, now: T0 + 7 }),
        ]);
        assert.equal(result?.outcome, 'replaced');
        assert.equal(result?.instance.parentInstanceId, 'other', 'the replacement keeps its own parent link');
        const started = await claimInstance(h.store, 'child', T0 + 7);
        assert.deepEqual(started.messages[0]?.event.type === 'ExecutionStarted' && started.messages[0].event.parent, newParent);
        const told = await claimInstance(h.store, 'p', T0 + 7);
        assert.equal(told.messages.length, 1);
        assert.equal(told.messages[0]?.executionId, parent.executionId);
        assert.deepEqual(told.messages[0]?.event, {
          type: 'SubOrchestrationInstanceFailed',
          timestamp: new Date(T0 + 7).toISOString(),
          taskId: 4,
          failure: { name: 'OrchestrationTerminated', message: `Terminated: ${REPLACED_REASON}` },
        });
      });
    }

    it('tells no one when the replaced instance had no parent or had finished', async () => {
      await h.store.createInstances([startRequest('p')]);
      const parentItem = await claimInstance(h.store, 'p');
      await commitOk(h.store, commitFor(parentItem, { newEvents: [orchestratorStarted()] }));
      const parent = { instanceId: 'p', executionId: parentItem.executionId, taskId: 1 };
      await h.store.createInstances([startRequest('done', { parent })]);
      await commitOk(
        h.store,
        commitFor(await claimInstance(h.store, 'done'), { newEvents: [orchestratorStarted()], runtimeStatus: 'Completed' }),
      );
      await h.store.createInstances([startRequest('done', { onConflict: 'terminateExisting', reuseStatuses: TERMINAL_STATUSES })]);
      await h.store.createInstances([startRequest('lone')]);
      await h.store.createInstances([startRequest('lone', { onConflict: 'terminateExisting', reuseStatuses: TERMINAL_STATUSES })]);
      const items = await h.store.claimOrchestrations({ owner: 'w', leaseMs: 1000, limit: 10, now: T0 });
      assert.deepEqual(items.map((item) => item.instanceId).sort(), ['done', 'lone']);
    });
  });
}
