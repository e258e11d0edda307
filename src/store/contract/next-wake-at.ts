/**
 * @module test/store/contract/next-wake-at
 * Contract cases for nextWakeAt: the earliest future time at which a message
 * or task becomes visible or a lease runs out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T0, claimInstance, commitFor, commitOk, raised, startRequest, type StoreHarness } from './fixtures.ts';

export function describeNextWakeAt(h: StoreHarness): void {
  describe('nextWakeAt', () => {
    it('is undefined when nothing is due in the future', async () => {
      assert.equal(await h.store.nextWakeAt(T0), undefined);
      await h.store.createInstances([startRequest('a')]);
      assert.equal(await h.store.nextWakeAt(T0), undefined, 'a message visible now is not a future wake-up');
    });

    it('reports the earliest future message, strictly after now', async () => {
      await h.store.createInstances([startRequest('a', { visibleAt: T0 + 300 }), startRequest('b', { visibleAt: T0 + 200 })]);
      assert.equal(await h.store.nextWakeAt(T0), T0 + 200);
      assert.equal(await h.store.nextWakeAt(T0 + 200), T0 + 300);
      assert.equal(await h.store.nextWakeAt(T0 + 300), undefined);
    });

    it('reports lease expiries of orchestrations and activities', async () => {
      await h.store.createInstances([startRequest('a')]);
      const item = await claimInstance(h.store, 'a');
      assert.equal(await h.store.nextWakeAt(T0), T0 + 30_000, 'the orchestration lease runs out');
      await commitOk(
        h.store,
        commitFor(item, {
          activities: [{ taskId: 0, name: 'act' }],
          messages: [{ instanceId: 'a', event: raised('later'), visibleAt: T0 + 90_000 }],
          now: T0 + 50,
        }),
      );
      assert.equal(await h.store.nextWakeAt(T0), T0 + 50, 'the activity becomes visible at the commit time');
      assert.equal(await h.store.nextWakeAt(T0 + 50), T0 + 90_000, 'a committed lease no longer counts');
      await h.store.claimActivities({ owner: 'w', leaseMs: 5000, limit: 1, now: T0 + 100 });
      assert.equal(await h.store.nextWakeAt(T0 + 100), T0 + 5100, 'the activity lease runs out');
      assert.equal(await h.store.nextWakeAt(T0 + 5100), T0 + 90_000);
    });
  });
}
