/**
 * @module test/store/contract/tombstones
 * Contract cases for ID tombstones: a purge of an instance started with
 * `keepTombstone` leaves one (whichever purge: by ID, by filter, with a
 * limit as retention uses), the tombstone answers later starts as the purged
 * instance would have, and releaseInstanceId removes it (decision 0031).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TERMINAL_STATUSES } from '../../model/runtime-status.ts';
import { T0, createWithStatus, startRequest, type StoreHarness } from './fixtures.ts';

const ONCE = { reuseStatuses: [], keepTombstone: true } as const;

export function describeTombstones(h: StoreHarness): void {
  describe('tombstones', () => {
    it('a purged keepTombstone instance keeps its ID used: a start with reuseStatuses [] is a tombstone conflict', async () => {
      await createWithStatus(h.store, [startRequest('once', ONCE)], 'Completed');
      assert.equal(await h.store.purge({ instanceId: 'once', now: T0 + 50 }), 1);
      assert.equal(await h.store.getInstance('once'), undefined);
      for (const onConflict of ['reject', 'useExisting'] as const) {
        const [again] = await h.store.createInstances([startRequest('once', { ...ONCE, onConflict, now: T0 + 60 })]);
        assert.equal(again?.outcome, 'conflict');
        assert.equal(again?.outcome === 'conflict' && again.reason, 'tombstone');
        assert.deepEqual(again?.outcome === 'conflict' && again.tombstone, {
          instanceId: 'once',
          name: 'Orchestrator',
          executionId: again.instance.executionId,
          runtimeStatus: 'Completed',
          createdAt: T0,
          purgedAt: T0 + 50,
        });
      }
      assert.equal(await h.store.getInstance('once'), undefined, 'a refused start leaves no row behind');
    });

    it('a start whose reuseStatuses has the purged status frees the ID and starts', async () => {
      await createWithStatus(h.store, [startRequest('once', ONCE)], 'Failed');
      await h.store.purge({ instanceId: 'once', now: T0 + 50 });
      const [narrow] = await h.store.createInstances([startRequest('once', { reuseStatuses: ['Completed'] })]);
      assert.equal(narrow?.outcome === 'conflict' && narrow.reason, 'tombstone');
      const [start] = await h.store.createInstances([startRequest('once', { reuseStatuses: [...TERMINAL_STATUSES] })]);
      assert.equal(start?.outcome, 'created');
      assert.equal((await h.store.getInstance('once'))?.runtimeStatus, 'Pending');
      assert.equal(await h.store.releaseInstanceId('once'), undefined, 'the start took the tombstone');
    });

    it('only instances started with keepTombstone leave one', async () => {
      await createWithStatus(h.store, [startRequest('plain')], 'Completed');
      await h.store.purge({ instanceId: 'plain', now: T0 + 50 });
      const [again] = await h.store.createInstances([startRequest('plain')]);
      assert.equal(again?.outcome, 'created');
    });

    it('filtered and limited purges leave tombstones too', async () => {
      await createWithStatus(h.store, [startRequest('f1', ONCE), startRequest('f2', ONCE), startRequest('f3')], 'Terminated');
      const deleted = await h.store.purge({ runtimeStatus: ['Terminated'], completedTo: T0 + 10_000, limit: 2, now: T0 + 70 });
      assert.equal(deleted, 2);
      assert.equal(await h.store.purge({ runtimeStatus: ['Terminated'], now: T0 + 80 }), 1);
      const results = await h.store.createInstances(['f1', 'f2', 'f3'].map((id) => startRequest(id, { now: T0 + 90 })));
      assert.deepEqual(
        results.map((r) => (r.outcome === 'conflict' ? r.reason : r.outcome)),
        ['tombstone', 'tombstone', 'created'],
      );
    });

    it('releaseInstanceId removes the tombstone once, and the ID can be used again', async () => {
      await createWithStatus(h.store, [startRequest('once', ONCE)], 'Completed');
      await h.store.purge({ instanceId: 'once', now: T0 + 50 });
      const released = await h.store.releaseInstanceId('once');
      assert.equal(released?.instanceId, 'once');
      assert.equal(released?.purgedAt, T0 + 50);
      assert.equal(await h.store.releaseInstanceId('once'), undefined);
      const [start] = await h.store.createInstances([startRequest('once', ONCE)]);
      assert.equal(start?.outcome, 'created');
    });

    it('in one batch, a refused start and a later allowed one for a tombstoned ID each get their answer', async () => {
      await createWithStatus(h.store, [startRequest('once', ONCE)], 'Completed');
      await h.store.purge({ instanceId: 'once', now: T0 + 50 });
      const results = await h.store.createInstances([
        startRequest('once', ONCE),
        startRequest('once', { reuseStatuses: ['Completed'] }),
        startRequest('once', ONCE),
      ]);
      assert.deepEqual(
        results.map((r) => (r.outcome === 'conflict' ? r.reason : r.outcome)),
        ['tombstone', 'created', 'exists'],
      );
    });

    it('starts racing the purge never take the ID: each is refused as exists or as tombstone', async () => {
      for (let round = 0; round < 10; round++) {
        const id = `race-${round}`;
        await createWithStatus(h.store, [startRequest(id, ONCE)], 'Completed');
        const starts = Array.from({ length: 8 }, () => h.store.createInstances([startRequest(id, { ...ONCE, now: T0 + 5 })]));
        const [purged, ...answers] = await Promise.all([h.store.purge({ instanceId: id, now: T0 + 5 }), ...starts]);
        assert.equal(purged, 1);
        for (const [answer] of answers) assert.equal(answer?.outcome, 'conflict');
        assert.equal(await h.store.getInstance(id), undefined);
      }
    });
  });
}
