/**
 * @module test/store/contract/backlog
 * Contract cases for countBacklog: turns, activities and timers ready at
 * `now`, leaving out what is leased or not visible yet.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LEASE_MS, T0, claimInstance, commitFor, commitOk, raised, startRequest, type StoreHarness } from './fixtures.ts';

export function describeBacklog(h: StoreHarness): void {
  describe('countBacklog', () => {
    it('counts ready turns, unleased visible activities and due timers', async () => {
      const count = (now: number) => h.store.countBacklog!(now);
      assert.deepEqual(await count(T0), { orchestrations: 0, activities: 0, timers: 0 });
      await h.store.createInstances([startRequest('ready'), startRequest('later', { visibleAt: T0 + 1000 }), startRequest('held')]);
      await h.store.send([{ instanceId: 'ready', event: raised('second'), requireStatus: ['Pending'], now: T0 }]);
      assert.deepEqual(await count(T0), { orchestrations: 2, activities: 0, timers: 0 }, 'an instance counts once, however many messages');

      const held = await claimInstance(h.store, 'held');
      assert.deepEqual(await count(T0), { orchestrations: 1, activities: 0, timers: 0 }, 'a leased instance is not waiting');
      const timer = (visibleAt: number) => ({
        instanceId: 'held',
        executionId: held.executionId,
        event: {
          type: 'TimerFired' as const,
          timestamp: new Date(visibleAt).toISOString(),
          taskId: 9,
          fireAt: new Date(visibleAt).toISOString(),
        },
        visibleAt,
      });
      await commitOk(
        h.store,
        commitFor(held, {
          activities: [
            { taskId: 0, name: 'a' },
            { taskId: 1, name: 'b' },
          ],
          messages: [timer(T0 + 10), timer(T0 + 5000)],
          now: T0,
        }),
      );
      assert.deepEqual(await count(T0 + 10), { orchestrations: 2, activities: 2, timers: 1 }, 'the due timer makes its instance ready too');
      await h.store.claimActivities({ owner: 'w', leaseMs: LEASE_MS, limit: 1, now: T0 + 10 });
      assert.deepEqual(await count(T0 + 10), { orchestrations: 2, activities: 1, timers: 1 }, 'a leased activity is running, not waiting');
      assert.deepEqual(await count(T0 + 5000), { orchestrations: 3, activities: 1, timers: 2 });
    });
  });
}
