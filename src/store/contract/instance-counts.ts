/**
 * @module test/store/contract/instance-counts
 * Contract cases for countInstancesByStatus: every status is named, and the
 * counts follow every way an instance is created, changes status, is
 * replaced or purged, and ignore what was refused (a lost lease, a conflict).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_RUNTIME_STATUSES, type RuntimeStatus } from '../../model/runtime-status.ts';
import type { Store } from '../store.ts';
import { T0, claimInstance, commitFor, commitOk, createWithStatus, startRequest, type StoreHarness } from './fixtures.ts';

function expected(counts: Partial<Record<RuntimeStatus, number>>): Record<RuntimeStatus, number> {
  return Object.fromEntries(ALL_RUNTIME_STATUSES.map((status) => [status, counts[status] ?? 0])) as Record<RuntimeStatus, number>;
}

/** The counts as a full listing sees them: what the counters must always agree with. */
async function listedCounts(store: Store): Promise<Record<RuntimeStatus, number>> {
  const { instances } = await store.listInstances({ pageSize: 1000 });
  const counts: Partial<Record<RuntimeStatus, number>> = {};
  for (const instance of instances) counts[instance.runtimeStatus] = (counts[instance.runtimeStatus] ?? 0) + 1;
  return expected(counts);
}

export function describeInstanceCounts(h: StoreHarness): void {
  describe('countInstancesByStatus', () => {
    it('names every status, with 0 on an empty store', async () => {
      assert.deepEqual(await h.store.countInstancesByStatus(), expected({}));
    });

    it('counts starts and status changes, and ignores a refused start and a lost lease', async () => {
      await h.store.createInstances([startRequest('p1'), startRequest('p2')]);
      await createWithStatus(h.store, [startRequest('r1', { now: T0 + 1 })], 'Running');
      await createWithStatus(h.store, [startRequest('c1', { now: T0 + 2 }), startRequest('c2', { now: T0 + 2 })], 'Completed');
      await createWithStatus(h.store, [startRequest('f1', { now: T0 + 3 })], 'Failed');
      assert.deepEqual(await h.store.countInstancesByStatus(), expected({ Pending: 2, Running: 1, Completed: 2, Failed: 1 }));

      const [conflict] = await h.store.createInstances([startRequest('p1', { now: T0 + 4 })]);
      assert.equal(conflict?.outcome, 'conflict');
      const item = await claimInstance(h.store, 'p1', T0 + 5);
      const stale = await claimInstance(h.store, 'p2', T0 + 5);
      await commitOk(h.store, commitFor(item, { runtimeStatus: 'Suspended', now: T0 + 6 }));
      const lost = await h.store.commitOrchestrations([
        commitFor({ ...stale, leaseToken: stale.leaseToken + 1 }, { runtimeStatus: 'Failed' }),
      ]);
      assert.deepEqual(lost, [{ ok: false, reason: 'leaseLost' }]);
      const counts = await h.store.countInstancesByStatus();
      assert.deepEqual(counts, expected({ Pending: 1, Suspended: 1, Running: 1, Completed: 2, Failed: 1 }));
      assert.deepEqual(counts, await listedCounts(h.store));
    });

    it('moves a replaced instance to its new status, and forgets purged ones', async () => {
      await createWithStatus(h.store, [startRequest('a'), startRequest('b'), startRequest('c')], 'Completed');
      const [replaced] = await h.store.createInstances([startRequest('a', { now: T0 + 10, reuseStatuses: ['Completed'] })]);
      assert.equal(replaced?.outcome, 'replaced');
      assert.deepEqual(await h.store.countInstancesByStatus(), expected({ Pending: 1, Completed: 2 }));

      assert.equal(await h.store.purge({ instanceId: 'b' }), 1);
      assert.deepEqual(await h.store.countInstancesByStatus(), expected({ Pending: 1, Completed: 1 }));
      assert.equal(await h.store.purge({ runtimeStatus: ['Completed'] }), 1);
      const counts = await h.store.countInstancesByStatus();
      assert.deepEqual(counts, expected({ Pending: 1 }));
      assert.deepEqual(counts, await listedCounts(h.store));
    });

    it('keeps the count of a status that changes many times', async () => {
      await h.store.createInstances(Array.from({ length: 30 }, (_, i) => startRequest(`i${i}`)));
      for (let round = 0; round < 3; round++) {
        const items = await h.store.claimOrchestrations({ owner: 'w', leaseMs: 30_000, limit: 100, now: T0 + round });
        const status: RuntimeStatus = round % 2 === 0 ? 'Running' : 'Pending';
        await h.store.commitOrchestrations(items.map((item) => commitFor(item, { runtimeStatus: status, now: T0 + round })));
        await h.store.send(
          items.map((item) => ({
            instanceId: item.instanceId,
            event: { type: 'EventRaised', timestamp: '', name: 'go' },
            requireStatus: [],
            now: T0 + round,
          })),
        );
      }
      assert.deepEqual(await h.store.countInstancesByStatus(), expected({ Running: 30 }));
    });
  });
}
