/**
 * @module test/store/contract/activity-heartbeats
 * Contract cases for activity timeouts and heartbeats (decision 0028): the
 * deadlines a claim fixes and caps its lease at, heartbeats that store
 * details and move the lease, and what a heartbeat reports when the task is
 * lost or its instance was suspended or ended.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActivityRequest, ActivityWorkItem, ClaimOptions } from '../store.ts';
import { T0, claimInstance, commitFor, commitOk, control, startRequest, type StoreHarness } from './fixtures.ts';

const claim = (now: number, overrides: Partial<ClaimOptions> = {}): ClaimOptions => ({
  owner: 'worker-a',
  leaseMs: 10_000,
  limit: 10,
  now,
  ...overrides,
});

/** Creates instance `id` and commits one turn that schedules `activities`. */
async function schedule(h: StoreHarness, activities: ActivityRequest[], id = 'a'): Promise<void> {
  await h.store.createInstances([startRequest(id)]);
  const item = await claimInstance(h.store, id);
  await commitOk(h.store, commitFor(item, { activities }));
}

async function claimOne(h: StoreHarness, now: number, owner = 'worker-a'): Promise<ActivityWorkItem> {
  const [task] = await h.store.claimActivities(claim(now, { owner }));
  assert.ok(task, `expected a claimable task at ${now}`);
  return task;
}

/** Drives instance `id` to `status` through its control message (suspend or terminate). */
async function drive(h: StoreHarness, id: string, type: 'ExecutionSuspended' | 'ExecutionTerminated', status: 'Suspended' | 'Terminated') {
  await h.store.send([{ instanceId: id, event: control(type, T0 + 1), requireStatus: ['Running', 'Suspended'], now: T0 + 1 }]);
  const item = await claimInstance(h.store, id, T0 + 1);
  await commitOk(h.store, commitFor(item, { runtimeStatus: status, now: T0 + 1 }));
}

export function describeActivityHeartbeats(h: StoreHarness): void {
  describe('activity timeouts and heartbeats', () => {
    it('fixes the start-to-close deadline at the first claim and ends every lease by it (plus a grace)', async () => {
      await schedule(h, [{ taskId: 0, name: 'timed', timeoutMs: 3_000 }]);
      const first = await claimOne(h, T0);
      assert.equal(first.timeoutMs, 3_000);
      assert.equal(first.deadlineAt, T0 + 3_000);
      // The lease ends a grace (a third of the 10 s lease) after the deadline: the holder reports its own timeout first.
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 6_332)), [], 'leased until the deadline and its grace');
      const second = await claimOne(h, T0 + 6_333, 'worker-b');
      assert.equal(second.deadlineAt, T0 + 3_000, 'a redelivery keeps the deadline of the first claim');
      assert.equal(second.attempt, 2);
    });

    it('caps a lease at claim time plus the heartbeat timeout, and a heartbeat moves it and stores details', async () => {
      await schedule(h, [{ taskId: 0, name: 'beating', heartbeatTimeoutMs: 2_000, heartbeatDetails: { page: 1 } }]);
      const task = await claimOne(h, T0);
      assert.equal(task.heartbeatTimeoutMs, 2_000);
      assert.deepEqual(task.heartbeatDetails, { page: 1 }, 'the details it was scheduled with');
      assert.equal(task.heartbeatDeadlineAt, T0 + 2_000, 'the first claim starts the heartbeat clock');
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 5_332)), [], 'leased until the heartbeat deadline and its grace');
      const beat = { item: task, leaseExpiresAt: T0 + 5_000, heartbeatDeadlineAt: T0 + 5_000, details: { value: { page: 7 } } };
      assert.deepEqual(await h.store.heartbeatActivities([beat]), ['held']);
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 4_999)), [], 'the heartbeat moved the lease');
      const next = await claimOne(h, T0 + 5_000, 'worker-b');
      assert.deepEqual(next.heartbeatDetails, { page: 7 }, 'the stored details reach the next delivery');
      assert.equal(next.heartbeatDeadlineAt, T0 + 5_000, 'the next delivery sees the missed deadline');
    });

    it('keeps the stored details when a heartbeat brings none', async () => {
      await schedule(h, [{ taskId: 0, name: 'beating', heartbeatTimeoutMs: 2_000 }]);
      const task = await claimOne(h, T0);
      await h.store.heartbeatActivities([{ item: task, leaseExpiresAt: T0 + 1_000, details: { value: 'x' } }]);
      await h.store.heartbeatActivities([{ item: task, leaseExpiresAt: T0 + 1_500 }]);
      assert.deepEqual((await claimOne(h, T0 + 1_500, 'worker-b')).heartbeatDetails, 'x');
    });

    it('answers lost to a stale holder and writes nothing for it', async () => {
      await schedule(h, [{ taskId: 0, name: 'act' }]);
      const stale = await claimOne(h, T0);
      const current = await claimOne(h, T0 + 10_000, 'worker-b');
      const beats = [
        { item: stale, leaseExpiresAt: T0 + 99_000, details: { value: 'stale' } },
        { item: current, leaseExpiresAt: T0 + 30_000 },
      ];
      assert.deepEqual(await h.store.heartbeatActivities(beats), ['lost', 'held']);
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 29_999)), []);
      assert.equal((await claimOne(h, T0 + 30_000)).heartbeatDetails, undefined, 'the stale details were not stored');
    });

    it('answers suspended while the instance is suspended, and no claim takes its tasks until it resumes', async () => {
      await schedule(h, [
        { taskId: 0, name: 'running' },
        { taskId: 1, name: 'queued' },
      ]);
      const [running] = await h.store.claimActivities(claim(T0, { limit: 1 }));
      await drive(h, 'a', 'ExecutionSuspended', 'Suspended');
      assert.deepEqual(await h.store.heartbeatActivities([{ item: running!, leaseExpiresAt: T0 + 20_000 }]), ['suspended']);
      await h.store.abandonActivities([running!]);
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 2)), [], 'a suspended instance has no claimable tasks');
      await h.store.send([{ instanceId: 'a', event: control('ExecutionResumed', T0 + 3), requireStatus: ['Suspended'], now: T0 + 3 }]);
      const item = await claimInstance(h.store, 'a', T0 + 3);
      await commitOk(h.store, commitFor(item, { runtimeStatus: 'Running', now: T0 + 3 }));
      const after = await h.store.claimActivities(claim(T0 + 3));
      assert.deepEqual(after.map((t) => t.taskId).sort(), [0, 1]);
    });

    it('answers ended and deletes the task once its instance is terminated', async () => {
      await schedule(h, [{ taskId: 0, name: 'act', timeoutMs: 60_000 }]);
      const task = await claimOne(h, T0);
      await drive(h, 'a', 'ExecutionTerminated', 'Terminated');
      assert.deepEqual(await h.store.heartbeatActivities([{ item: task, leaseExpiresAt: T0 + 20_000 }]), ['ended']);
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 120_000)), [], 'the task of an ended execution never runs again');
      assert.deepEqual(await h.store.heartbeatActivities([]), []);
    });
  });
}
