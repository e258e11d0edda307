/**
 * @module test/store/contract/deliveries
 * Contract cases for delivery counting, the ground of poison protection: a
 * store counts every hand-out of an instance's pending turn (claim, or a
 * leased start) in the transaction that leases it, until a commit resets the
 * count, and an activity task's attempt counts its deliveries the same way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LEASE_MS,
  T0,
  claimInstance,
  commitFor,
  commitOk,
  orchestratorStarted,
  raised,
  startRequest,
  type StoreHarness,
} from './fixtures.ts';

export function describeDeliveries(h: StoreHarness): void {
  describe('delivery counts', () => {
    it('counts every claim of a pending turn until a commit resets the count', async () => {
      await h.store.createInstances([startRequest('a')]);
      assert.equal((await claimInstance(h.store, 'a')).deliveries, 1);
      // The holder died: each expired lease hands the same turn out again, counted.
      assert.equal((await claimInstance(h.store, 'a', T0 + LEASE_MS)).deliveries, 2);
      const third = await claimInstance(h.store, 'a', T0 + 2 * LEASE_MS);
      assert.equal(third.deliveries, 3);
      await commitOk(h.store, commitFor(third, { newEvents: [orchestratorStarted()], now: T0 + 2 * LEASE_MS }));
      await h.store.send([{ instanceId: 'a', event: raised('go'), requireStatus: ['Running'], now: T0 + 2 * LEASE_MS }]);
      assert.equal((await claimInstance(h.store, 'a', T0 + 2 * LEASE_MS)).deliveries, 1);
    });

    it('takes a delivery back when a turn is handed back unrun, and keeps it when the turn ran', async () => {
      await h.store.createInstances([startRequest('a')]);
      await h.store.abandonOrchestrations([await claimInstance(h.store, 'a')]);
      const again = await claimInstance(h.store, 'a');
      assert.equal(again.deliveries, 1, 'a turn handed back unrun was not delivered');
      await h.store.abandonOrchestrations([again], { delivered: true });
      assert.equal((await claimInstance(h.store, 'a')).deliveries, 2, 'a turn that ran and was stopped stays counted');
    });

    it('resets the count on a drain commit too', async () => {
      await h.store.createInstances([startRequest('a')]);
      await claimInstance(h.store, 'a');
      const item = await claimInstance(h.store, 'a', T0 + LEASE_MS);
      assert.equal(item.deliveries, 2);
      await commitOk(h.store, commitFor(item, { newEvents: [orchestratorStarted()], runtimeStatus: 'Completed' }));
      await h.store.send([{ instanceId: 'a', event: raised('late'), requireStatus: ['Completed'], now: T0 }]);
      const late = await claimInstance(h.store, 'a');
      assert.equal(late.deliveries, 1);
      await commitOk(h.store, commitFor(late, { runtimeStatus: 'Completed', drainOnly: true }));
      await h.store.send([{ instanceId: 'a', event: raised('later'), requireStatus: ['Completed'], now: T0 }]);
      assert.equal((await claimInstance(h.store, 'a')).deliveries, 1);
    });

    it('counts a leased start as the first delivery', async () => {
      const lease = { owner: 'starter', expiresAt: T0 + LEASE_MS };
      const [result] = await h.store.createInstances([startRequest('a', { lease })]);
      if (result?.outcome !== 'created' || !result.workItem) return; // this store ignores start leases
      assert.equal(result.workItem.deliveries, 1);
      assert.equal((await claimInstance(h.store, 'a', T0 + LEASE_MS)).deliveries, 2);
    });

    it('starts an activity at the attempt the commit recorded, and counts each claim', async () => {
      await h.store.createInstances([startRequest('a')]);
      const item = await claimInstance(h.store, 'a');
      const activities = [
        { taskId: 0, name: 'Fresh' },
        { taskId: 1, name: 'MayHaveRun', attempt: 1 },
      ];
      await commitOk(h.store, commitFor(item, { newEvents: [orchestratorStarted()], activities }));
      const claimed = await h.store.claimActivities({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 });
      const byName = new Map(claimed.map((task) => [task.name, task]));
      assert.deepEqual(
        [
          byName.get('Fresh')?.attempt,
          byName.get('Fresh')?.leaseToken,
          byName.get('MayHaveRun')?.attempt,
          byName.get('MayHaveRun')?.leaseToken,
        ],
        [1, 1, 2, 2],
      );
      const again = await h.store.claimActivities({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 + LEASE_MS });
      assert.deepEqual(again.map((task) => task.attempt).sort(), [2, 3]);
    });
  });
}
