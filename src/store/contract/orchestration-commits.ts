/**
 * @module test/store/contract/orchestration-commits
 * Contract cases for what a successful commitOrchestrations applies: history,
 * status fields, consumed messages, activities, outbound messages, child
 * starts (with conflict replies) and continue-as-new.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent } from '../../model/history.ts';
import {
  LEASE_MS,
  T0,
  claimInstance,
  commitFor,
  commitOk,
  eventTypes,
  orchestratorStarted,
  raised,
  startRequest,
  type StoreHarness,
} from './fixtures.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export function describeOrchestrationCommits(h: StoreHarness): void {
  describe('commitOrchestrations', () => {
    it('appends history across turns and reports its length at claim', async () => {
      await h.store.createInstances([startRequest('a')]);
      const first = await claimInstance(h.store, 'a');
      const turn1: HistoryEvent[] = [
        orchestratorStarted(),
        first.messages[0]!.event,
        { type: 'TaskScheduled', timestamp: iso(T0), taskId: 0, name: 'act', input: 5 },
      ];
      await commitOk(h.store, commitFor(first, { newEvents: turn1 }));
      assert.deepEqual(await h.store.getHistory('a'), turn1);

      await h.store.send([{ instanceId: 'a', event: raised('e'), requireStatus: ['Running'], now: T0 + 1 }]);
      const second = await claimInstance(h.store, 'a', T0 + 1);
      assert.equal(second.historyLength, 3);
      const turn2: HistoryEvent[] = [orchestratorStarted(T0 + 1), raised('e', undefined, T0 + 1)];
      await commitOk(h.store, commitFor(second, { newEvents: turn2, now: T0 + 1 }));
      assert.deepEqual(await h.store.getHistory('a'), [...turn1, ...turn2]);
    });

    it('updates status, output, failure and custom status', async () => {
      await h.store.createInstances([startRequest('a')]);
      const send = (now: number) => h.store.send([{ instanceId: 'a', event: raised('tick'), requireStatus: ['Running', 'Failed'], now }]);
      let item = await claimInstance(h.store, 'a');
      await commitOk(h.store, commitFor(item, { customStatus: { step: 1 }, now: T0 + 1 }));
      let record = await h.store.getInstance('a');
      assert.deepEqual(record?.customStatus, { step: 1 });
      assert.equal(record?.runtimeStatus, 'Running');
      assert.equal(record?.updatedAt, T0 + 1);
      assert.equal(record?.createdAt, T0);
      assert.ok(!('completedAt' in record));

      await send(T0 + 2);
      item = await claimInstance(h.store, 'a', T0 + 2);
      await commitOk(h.store, commitFor(item, { now: T0 + 2 }));
      assert.deepEqual((await h.store.getInstance('a'))?.customStatus, { step: 1 }, 'undefined leaves it unchanged');

      await send(T0 + 3);
      item = await claimInstance(h.store, 'a', T0 + 3);
      const failure = { name: 'Error', message: 'boom', stack: 'at x', cause: { name: 'Inner', message: 'why' } };
      await commitOk(h.store, commitFor(item, { runtimeStatus: 'Failed', failure, customStatus: null, now: T0 + 3 }));
      record = await h.store.getInstance('a');
      assert.equal(record?.runtimeStatus, 'Failed');
      assert.deepEqual(record?.failure, failure);
      assert.equal(record?.completedAt, T0 + 3);
      assert.ok(!('customStatus' in record), 'null clears the custom status');

      await send(T0 + 4);
      item = await claimInstance(h.store, 'a', T0 + 4);
      await commitOk(h.store, commitFor(item, { runtimeStatus: 'Completed', output: [1, { two: 2 }], now: T0 + 4 }));
      record = await h.store.getInstance('a');
      assert.deepEqual(record?.output, [1, { two: 2 }]);
      assert.ok(!('failure' in record));
      assert.equal(record?.completedAt, T0 + 4);
    });

    it('a drain consumes late messages and leaves the finished instance as it was', async () => {
      await h.store.createInstances([startRequest('a'), startRequest('b')]);
      for (const id of ['a', 'b']) {
        const item = await claimInstance(h.store, id);
        const result = id === 'a' ? { runtimeStatus: 'Completed' as const, output: ['done'] } : {};
        await commitOk(h.store, commitFor(item, { ...result, customStatus: { step: 1 }, newEvents: [orchestratorStarted()], now: T0 + 1 }));
      }
      const before = await h.store.getInstance('a');
      // A result or a timer that arrives after the end (here sent by hand).
      await h.store.send([{ instanceId: 'a', event: raised('late'), requireStatus: ['Completed'], now: T0 + 2 }]);
      await h.store.send([{ instanceId: 'b', event: raised('next'), requireStatus: ['Running'], now: T0 + 2 }]);
      const items = await h.store.claimOrchestrations({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 + 2 });
      const late = items.find((item) => item.instanceId === 'a');
      const next = items.find((item) => item.instanceId === 'b');
      assert.ok(late && next);
      assert.equal(late.runtimeStatus, 'Completed');
      // In one batch with an ordinary turn, which is applied as usual.
      const results = await h.store.commitOrchestrations([
        commitFor(late, { runtimeStatus: 'Completed', drainOnly: true, now: T0 + 2 }),
        commitFor(next, { runtimeStatus: 'Completed', output: 'b', newEvents: [orchestratorStarted(T0 + 2)], now: T0 + 2 }),
      ]);
      assert.deepEqual(results, [{ ok: true }, { ok: true }]);
      assert.deepEqual(await h.store.getInstance('a'), before, 'output, custom status and times are kept');
      assert.equal((await h.store.getInstance('b'))?.output, 'b');
      // The message is gone and the lease released: the next late message is claimable at once.
      await h.store.send([{ instanceId: 'a', event: raised('later'), requireStatus: ['Completed'], now: T0 + 3 }]);
      assert.deepEqual(eventTypes(await claimInstance(h.store, 'a', T0 + 3)), ['EventRaised']);
      assert.equal((await h.store.getHistory('a')).length, 1);
    });

    it('deletes only the consumed messages of its own instance', async () => {
      await h.store.createInstances([startRequest('a'), startRequest('b')]);
      const b = await claimInstance(h.store, 'b');
      await h.store.abandonOrchestrations([b]);
      const a = await claimInstance(h.store, 'a');
      await commitOk(h.store, commitFor(a, { consumedMessageIds: [...a.messages.map((m) => m.id), b.messages[0]!.id] }));
      const again = await claimInstance(h.store, 'b');
      assert.deepEqual(again.messages, b.messages);
    });

    it('schedules activities for the execution', async () => {
      await h.store.createInstances([startRequest('a')]);
      const item = await claimInstance(h.store, 'a');
      await commitOk(
        h.store,
        commitFor(item, {
          activities: [
            { taskId: 0, name: 'first', input: { v: 1 } },
            { taskId: 1, name: 'second' },
          ],
          now: T0 + 1,
        }),
      );
      const tasks = await h.store.claimActivities({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 + 1 });
      assert.deepEqual(
        tasks.map(({ instanceId, executionId, taskId, name, input, attempt }) => ({
          instanceId,
          executionId,
          taskId,
          name,
          input,
          attempt,
        })),
        [
          { instanceId: 'a', executionId: item.executionId, taskId: 0, name: 'first', input: { v: 1 }, attempt: 1 },
          { instanceId: 'a', executionId: item.executionId, taskId: 1, name: 'second', input: undefined, attempt: 1 },
        ],
      );
      assert.ok(!('input' in tasks[1]!));
    });

    it('queues outbound messages with their own visibility and execution', async () => {
      await h.store.createInstances([startRequest('a'), startRequest('b')]);
      const b = await claimInstance(h.store, 'b');
      await commitOk(h.store, commitFor(b));
      const a = await claimInstance(h.store, 'a');
      const timer = { type: 'TimerFired', timestamp: iso(T0), taskId: 4, fireAt: iso(T0 + 500) } as const;
      await commitOk(
        h.store,
        commitFor(a, {
          messages: [
            { instanceId: 'a', executionId: a.executionId, event: timer, visibleAt: T0 + 500 },
            { instanceId: 'b', event: raised('hello', 'from a'), visibleAt: T0 },
          ],
        }),
      );
      const toB = await claimInstance(h.store, 'b', T0 + 1);
      assert.deepEqual(
        toB.messages.map((m) => [m.event, m.executionId]),
        [[raised('hello', 'from a'), undefined]],
      );
      assert.deepEqual(await h.store.claimOrchestrations({ owner: 'w', leaseMs: 1, limit: 10, now: T0 + 499 }), []);
      const fired = await claimInstance(h.store, 'a', T0 + 500);
      assert.deepEqual(
        fired.messages.map((m) => [m.event, m.executionId]),
        [[timer, a.executionId]],
      );
    });

    it('drops an outbound message to a missing instance, so a later instance with that ID never sees it', async () => {
      await h.store.createInstances([startRequest('a')]);
      const a = await claimInstance(h.store, 'a');
      await commitOk(h.store, commitFor(a, { messages: [{ instanceId: 'nobody', event: raised('lost'), visibleAt: T0 + 10 }] }));
      assert.equal(await h.store.nextWakeAt(T0), undefined, 'nothing was queued');
      await h.store.createInstances([startRequest('nobody', { now: T0 + 20 })]);
      const item = await claimInstance(h.store, 'nobody', T0 + 20);
      assert.deepEqual(eventTypes(item), ['ExecutionStarted']);
    });

    it('starts children, and delivers onConflictMessage when the child ID is taken', async () => {
      await h.store.createInstances([startRequest('parent'), startRequest('busy'), startRequest('shared')]);
      const parent = await claimInstance(h.store, 'parent');
      const ref = (taskId: number) => ({ instanceId: 'parent', executionId: parent.executionId, taskId });
      const failed = (taskId: number) => ({
        instanceId: 'parent',
        executionId: parent.executionId,
        event: {
          type: 'SubOrchestrationInstanceFailed',
          timestamp: iso(T0),
          taskId,
          failure: { name: 'Conflict', message: 'taken' },
        } as const,
        visibleAt: T0,
      });
      const child = startRequest('child', { name: 'Child', input: 'c', parent: ref(0) });
      await commitOk(
        h.store,
        commitFor(parent, {
          childStarts: [
            { request: child, onConflictMessage: failed(0) },
            { request: startRequest('busy', { parent: ref(1) }), onConflictMessage: failed(1) },
            { request: startRequest('shared', { parent: ref(2), onConflict: 'useExisting' }), onConflictMessage: failed(2) },
          ],
        }),
      );
      const record = await h.store.getInstance('child');
      assert.equal(record?.runtimeStatus, 'Pending');
      assert.equal(record?.parentInstanceId, 'parent');
      assert.equal((await h.store.getInstance('busy'))?.parentInstanceId, undefined, 'the taken ID is untouched');
      const childItem = await claimInstance(h.store, 'child');
      assert.deepEqual(childItem.messages[0]?.event, {
        type: 'ExecutionStarted',
        timestamp: iso(T0),
        name: 'Child',
        executionId: child.executionId,
        input: 'c',
        parent: ref(0),
      });
      const replies = await claimInstance(h.store, 'parent');
      assert.deepEqual(
        replies.messages.map((m) => [m.event, m.executionId]),
        [
          [failed(1).event, parent.executionId],
          [failed(2).event, parent.executionId],
        ],
      );
    });

    it("queues a message to a child started in the same commit after the child's start", async () => {
      await h.store.createInstances([startRequest('parent'), startRequest('child')]);
      const oldChild = await claimInstance(h.store, 'child');
      await commitOk(h.store, commitFor(oldChild, { runtimeStatus: 'Completed' }));
      const parent = await claimInstance(h.store, 'parent');
      const child = startRequest('child', { reuseStatuses: ['Completed'] });
      await commitOk(
        h.store,
        commitFor(parent, {
          childStarts: [{ request: child, onConflictMessage: { instanceId: 'parent', event: raised('conflict'), visibleAt: T0 } }],
          messages: [{ instanceId: 'child', event: raised('hi'), visibleAt: T0 }],
        }),
      );
      const item = await claimInstance(h.store, 'child');
      assert.equal(item.executionId, child.executionId);
      assert.deepEqual(eventTypes(item), ['ExecutionStarted', 'EventRaised']);
    });

    it('continue-as-new resets history and queues the new start, then the carried-over events', async () => {
      const parentRef = { instanceId: 'p', executionId: 'p-exec', taskId: 7 };
      await h.store.createInstances([startRequest('a', { parent: parentRef })]);
      let item = await claimInstance(h.store, 'a');
      await commitOk(
        h.store,
        commitFor(item, {
          newEvents: [orchestratorStarted()],
          activities: [{ taskId: 0, name: 'act' }],
        }),
      );
      await h.store.send([{ instanceId: 'a', event: raised('tick'), requireStatus: ['Running'], now: T0 + 1 }]);
      item = await claimInstance(h.store, 'a', T0 + 1);
      const carryover = [raised('kept-1', 1), raised('kept-2', 2)];
      const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', spanId: '00f067aa0ba902b7' };
      await commitOk(
        h.store,
        commitFor(item, {
          newEvents: [orchestratorStarted(T0 + 1)],
          runtimeStatus: 'ContinuedAsNew',
          continueAsNew: { executionId: 'exec-next', input: { round: 2 }, parent: parentRef, trace, carryover },
          now: T0 + 1,
        }),
      );
      const record = await h.store.getInstance('a');
      assert.equal(record?.executionId, 'exec-next');
      assert.deepEqual(record?.input, { round: 2 });
      assert.equal(record?.runtimeStatus, 'ContinuedAsNew');
      assert.equal(record?.parentInstanceId, 'p');
      assert.deepEqual(await h.store.getHistory('a'), []);
      assert.deepEqual(
        await h.store.claimActivities({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 + 1 }),
        [],
        'activities of the old execution are dropped',
      );
      const next = await claimInstance(h.store, 'a', T0 + 1);
      assert.equal(next.executionId, 'exec-next');
      assert.equal(next.historyLength, 0);
      assert.deepEqual(
        next.messages.map((m) => [m.event, m.executionId]),
        [
          [
            {
              type: 'ExecutionStarted',
              timestamp: iso(T0 + 1),
              name: 'Orchestrator',
              executionId: 'exec-next',
              input: { round: 2 },
              parent: parentRef,
              trace,
            },
            'exec-next',
          ],
          [carryover[0], undefined],
          [carryover[1], undefined],
        ],
      );
    });

    it('applies each commit of a batch on its own', async () => {
      await h.store.createInstances([startRequest('a'), startRequest('b')]);
      const items = await h.store.claimOrchestrations({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 });
      const results = await h.store.commitOrchestrations(
        items.map((item) => commitFor(item, { runtimeStatus: 'Completed', output: item.instanceId })),
      );
      assert.deepEqual(results, [{ ok: true }, { ok: true }]);
      assert.equal((await h.store.getInstance('a'))?.output, 'a');
      assert.equal((await h.store.getInstance('b'))?.output, 'b');
      assert.deepEqual(await h.store.commitOrchestrations([]), []);
    });
  });
}
