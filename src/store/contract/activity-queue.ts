/**
 * @module test/store/contract/activity-queue
 * Contract cases for claimActivities / completeActivities / abandonActivities:
 * leases, redelivery with a growing attempt, and dropping stale completions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActivityRequest, ClaimOptions } from '../store.ts';
import { T0, claimInstance, commitFor, commitOk, startRequest, type StoreHarness } from './fixtures.ts';

const claim = (now: number, overrides: Partial<ClaimOptions> = {}): ClaimOptions => ({
  owner: 'worker-a',
  leaseMs: 1000,
  limit: 10,
  now,
  ...overrides,
});
const iso = (ms: number) => new Date(ms).toISOString();

/** Creates instance `a` and commits one turn that schedules `activities`; returns the execution ID. */
async function schedule(h: StoreHarness, activities: ActivityRequest[]): Promise<string> {
  await h.store.createInstances([startRequest('a')]);
  const item = await claimInstance(h.store, 'a');
  await commitOk(h.store, commitFor(item, { activities }));
  return item.executionId;
}

export function describeActivityQueue(h: StoreHarness): void {
  describe('activity queue', () => {
    it('claims up to limit, oldest first, and never hands a leased task out twice', async () => {
      await schedule(
        h,
        [0, 1, 2].map((taskId) => ({ taskId, name: `act${taskId}` })),
      );
      const first = await h.store.claimActivities(claim(T0, { limit: 2 }));
      assert.deepEqual(
        first.map((t) => t.taskId),
        [0, 1],
      );
      assert.ok(first.every((t) => t.attempt === 1 && typeof t.id === 'string'));
      const second = await h.store.claimActivities(claim(T0));
      assert.deepEqual(
        second.map((t) => t.taskId),
        [2],
      );
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 999)), []);
      assert.deepEqual(await h.store.claimActivities(claim(T0, { limit: 0 })), []);
    });

    it('inserts a pre-leased task that only its holder completes, and others claim after expiry', async () => {
      const executionId = await schedule(h, [{ taskId: 0, name: 'inline', lease: { owner: 'host-1', expiresAt: T0 + 5_000 } }]);
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 4_999)), [], 'a pre-leased task is not claimable before expiry');
      const held = { id: 'held', instanceId: 'a', executionId, taskId: 0, name: 'inline', attempt: 1, leaseToken: 1 };
      await h.store.completeActivities([{ item: held, outcome: { result: 'done' }, now: T0 + 10 }]);
      const turn = await claimInstance(h.store, 'a', T0 + 10);
      assert.deepEqual(
        turn.messages.map((m) => m.event.type),
        ['TaskCompleted'],
      );
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 6_000)), [], 'a completed task is gone');
    });

    it("redelivers a pre-leased task after its lease expires, and drops the holder's late result", async () => {
      const executionId = await schedule(h, [{ taskId: 0, name: 'inline', lease: { owner: 'host-1', expiresAt: T0 + 5_000 } }]);
      const [redelivered] = await h.store.claimActivities(claim(T0 + 5_000, { owner: 'host-2' }));
      assert.equal(redelivered?.attempt, 2);
      const late = { id: 'held', instanceId: 'a', executionId, taskId: 0, name: 'inline', attempt: 1, leaseToken: 1 };
      await h.store.completeActivities([{ item: late, outcome: { result: 'late' }, now: T0 + 5_001 }]);
      await h.store.completeActivities([{ item: redelivered, outcome: { result: 'fresh' }, now: T0 + 5_002 }]);
      const turn = await claimInstance(h.store, 'a', T0 + 5_002);
      assert.deepEqual(
        turn.messages.map((m) => (m.event as { result?: unknown }).result),
        ['fresh'],
      );
    });

    it('renews the lease of a task still held, so nobody else claims it, and refuses a stale holder', async () => {
      await schedule(h, [{ taskId: 0, name: 'long' }]);
      const [task] = await h.store.claimActivities(claim(T0));
      const renewed = await h.store.renewActivityLeases([task!], T0 + 10_000);
      assert.equal(renewed.length, 1);
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 5_000, { owner: 'worker-b' })), [], 'a renewed lease still holds');
      const [taken] = await h.store.claimActivities(claim(T0 + 10_000, { owner: 'worker-b' }));
      assert.equal(taken?.attempt, 2);
      assert.deepEqual(await h.store.renewActivityLeases([task!], T0 + 20_000), [], 'the old holder lost the task');
    });

    it('redelivers a task whose lease expired, with a higher token and attempt', async () => {
      await schedule(h, [{ taskId: 0, name: 'act' }]);
      const [first] = await h.store.claimActivities(claim(T0));
      const [second] = await h.store.claimActivities(claim(T0 + 1000, { owner: 'worker-b' }));
      assert.ok(first && second);
      assert.equal(second.id, first.id);
      assert.equal(second.attempt, 2);
      assert.ok(second.leaseToken > first.leaseToken);
      const [third] = await h.store.claimActivities(claim(T0 + 2000));
      assert.equal(third?.attempt, 3);
    });

    it('delivers TaskCompleted and TaskFailed to the execution that scheduled the task', async () => {
      const executionId = await schedule(h, [
        { taskId: 0, name: 'ok' },
        { taskId: 1, name: 'bad' },
      ]);
      const [ok, bad] = await h.store.claimActivities(claim(T0));
      const failure = { name: 'TypeError', message: 'nope', stack: 'at y' };
      await h.store.completeActivities([
        { item: ok!, outcome: { result: { sum: 3 } }, now: T0 + 10 },
        { item: bad!, outcome: { failure }, now: T0 + 11 },
      ]);
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 5000)), [], 'completed tasks are gone');
      const item = await claimInstance(h.store, 'a', T0 + 11);
      assert.deepEqual(
        item.messages.map((m) => [m.event, m.executionId]),
        [
          [{ type: 'TaskCompleted', timestamp: iso(T0 + 10), taskId: 0, result: { sum: 3 } }, executionId],
          [{ type: 'TaskFailed', timestamp: iso(T0 + 11), taskId: 1, failure }, executionId],
        ],
      );
    });

    it('makes a completion visible at its own now', async () => {
      await schedule(h, [{ taskId: 0, name: 'act' }]);
      const [task] = await h.store.claimActivities(claim(T0));
      await h.store.completeActivities([{ item: task!, outcome: {}, now: T0 + 50 }]);
      assert.deepEqual(await h.store.claimOrchestrations(claim(T0 + 49)), []);
      const item = await claimInstance(h.store, 'a', T0 + 50);
      assert.deepEqual(item.messages[0]?.event, { type: 'TaskCompleted', timestamp: iso(T0 + 50), taskId: 0 });
    });

    it('drops a stale completion after the task was handed to another worker', async () => {
      await schedule(h, [{ taskId: 0, name: 'act' }]);
      const [stale] = await h.store.claimActivities(claim(T0));
      const [current] = await h.store.claimActivities(claim(T0 + 1000, { owner: 'worker-b' }));
      await h.store.completeActivities([{ item: stale!, outcome: { result: 'stale' }, now: T0 + 1001 }]);
      assert.deepEqual(await h.store.claimOrchestrations(claim(T0 + 1001)), [], 'nothing was delivered');
      await h.store.completeActivities([{ item: current!, outcome: { result: 'fresh' }, now: T0 + 1002 }]);
      await h.store.completeActivities([{ item: current!, outcome: { result: 'again' }, now: T0 + 1003 }]);
      const item = await claimInstance(h.store, 'a', T0 + 1003);
      assert.deepEqual(
        item.messages.map((m) => m.event),
        [{ type: 'TaskCompleted', timestamp: iso(T0 + 1002), taskId: 0, result: 'fresh' }],
      );
    });

    it('drops a completion for an execution that was replaced', async () => {
      await schedule(h, [{ taskId: 0, name: 'act' }]);
      const [task] = await h.store.claimActivities(claim(T0));
      await h.store.createInstances([startRequest('a', { onConflict: 'terminateExisting', now: T0 + 1 })]);
      await h.store.completeActivities([{ item: task!, outcome: { result: 1 }, now: T0 + 2 }]);
      const item = await claimInstance(h.store, 'a', T0 + 2);
      assert.deepEqual(
        item.messages.map((m) => m.event.type),
        ['ExecutionStarted'],
      );
    });

    it('abandon makes a task claimable at once, only with the current token', async () => {
      await schedule(h, [{ taskId: 0, name: 'act' }]);
      const [first] = await h.store.claimActivities(claim(T0));
      await h.store.abandonActivities([{ ...first!, leaseToken: first!.leaseToken - 1 }]);
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 1)), [], 'a stale abandon changes nothing');
      await h.store.abandonActivities([first!]);
      const [second] = await h.store.claimActivities(claim(T0 + 1));
      assert.equal(second?.id, first?.id);
      assert.equal(second?.attempt, 2);
      assert.ok(second.leaseToken > first!.leaseToken);
    });
  });
}
