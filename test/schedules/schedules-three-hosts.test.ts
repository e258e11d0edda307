/**
 * @module test/schedules/schedules-three-hosts.test
 * Three hosts on one PostgreSQL schema, sharing a manual clock, fire one
 * schedule over 100 fire times: every fire time is started exactly once
 * (the store is asked to create each ID once, and no start is repeated).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHost, createManualClock, openStore, type Host, type Store } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { scheduleApp, T_START } from './schedule-hosts.ts';

const MINUTE = 60_000;

/** Counts the instances each store really created (created or replaced), by ID. */
function countingStarts(store: Store, created: string[]): Store {
  return {
    ...store,
    createInstances: async (requests) => {
      const results = await store.createInstances(requests);
      results.forEach((result, i) => {
        if (result.outcome === 'created' || result.outcome === 'replaced') created.push(requests[i]!.instanceId);
      });
      return results;
    },
  };
}

describe('schedules on three PostgreSQL hosts', () => {
  it('start each of 100 fire times exactly once', async () => {
    await using schema = await createTestSchema('sched3');
    const clock = createManualClock(T_START);
    const created: string[] = [];
    const stores: Store[] = [];
    const hosts: Host[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const store = await openStore(schema.url);
        stores.push(store);
        hosts.push(await createHost({ app: scheduleApp(), store: countingStarts(store, created), clock, logger: silentLogger }));
      }
      await hosts[0]!.client.schedules.create('s', { everyMs: MINUTE, orchestration: 'Quick', overlap: 'allowAll' });
      for (let fire = 1; fire <= 100; fire++) {
        clock.advance(MINUTE); // wakes every host's loop at once
        await Promise.all(hosts.map((host) => host.tickSchedules()));
      }
      const starts = created.filter((id) => id.startsWith('s@'));
      assert.equal(new Set(starts).size, 100, 'every fire time started');
      assert.equal(starts.length, 100, 'no fire time started twice');
      const { instances } = await hosts[1]!.client.listInstances({ instanceIdPrefix: 's@', pageSize: 1000 });
      assert.equal(instances.length, 100);
      const actions = (await hosts[2]!.client.schedules.describe('s')).recentActions;
      assert.equal(actions.length, 10);
      assert.ok(actions.every((a) => a.outcome === 'started'));
      assert.equal(actions.at(-1)?.instanceId, `s@${new Date(T_START + 100 * MINUTE).toISOString()}`);
    } finally {
      await Promise.all(hosts.map((host) => host.stop()));
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
