/**
 * @module test/store/contract/schedules
 * Contract cases for schedule rows: create-if-absent, compare-and-set on
 * the version, delete, and the JSON kept as written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T0, type StoreHarness } from './fixtures.ts';

export function describeSchedules(h: StoreHarness): void {
  describe('schedules', () => {
    it('creates once, then writes only at the version read', async () => {
      const value = { definition: { cron: '0 3 * * *', input: { a: [1, 'b'] } }, state: { paused: false } };
      assert.equal(await h.store.writeSchedule({ name: 's', expectedVersion: 0, value, now: T0 }), true);
      assert.equal(await h.store.writeSchedule({ name: 's', expectedVersion: 0, value, now: T0 }), false, 'exists');
      const [record] = await h.store.listSchedules();
      assert.deepEqual(record, { name: 's', ...value, version: 1, updatedAt: T0 });
      const next = { ...value, state: { paused: true } };
      const race = await Promise.all([
        h.store.writeSchedule({ name: 's', expectedVersion: 1, value: next, now: T0 + 1 }),
        h.store.writeSchedule({ name: 's', expectedVersion: 1, value: next, now: T0 + 2 }),
      ]);
      assert.deepEqual(race.filter(Boolean).length, 1, 'one of two writers at the same version wins');
      const [after] = await h.store.listSchedules();
      assert.equal(after?.version, 2);
      assert.deepEqual(after?.state, { paused: true });
    });

    it('deletes only at the version read, and lists by name', async () => {
      for (const name of ['b', 'a']) {
        await h.store.writeSchedule({ name, expectedVersion: 0, value: { definition: {}, state: {} }, now: T0 });
      }
      assert.deepEqual(
        (await h.store.listSchedules()).map((s) => s.name),
        ['a', 'b'],
      );
      assert.equal(await h.store.writeSchedule({ name: 'a', expectedVersion: 2, value: null, now: T0 }), false);
      assert.equal(await h.store.writeSchedule({ name: 'a', expectedVersion: 1, value: null, now: T0 }), true);
      assert.deepEqual(
        (await h.store.listSchedules()).map((s) => s.name),
        ['b'],
      );
    });
  });
}
