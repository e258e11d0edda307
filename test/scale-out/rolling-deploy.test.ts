/**
 * @module test/scale-out/rolling-deploy.test
 * A rolling deploy on PostgreSQL: two hosts in one process, each with its own
 * pool on one schema, whose function sets differ. Host A (the old code)
 * lacks activity X and orchestration Y; host B (the new code) has them.
 *
 * - With only A running, instances that need X or Y wait: the Y instances
 *   stay Pending, the instances that call X stay Running with their X tasks
 *   queued, and no instance fails (today A would fail them with
 *   FunctionNotFoundError).
 * - A logs one warning per missing name, however many times it looks.
 * - Once B starts, every instance completes, with the right output.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, type FunctionApp } from '../../src/index.ts';
import type { Logger } from '../../src/runtime/logger.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestSchema, openTestStores } from '../helpers/postgres.ts';
import { statusCounts, waitFor } from './scale-helpers.ts';

const MIXED = 20;
const NEW_ONLY = 10;

/** The old code: `Mixed` and `Shared`, but not X or Y (which `Mixed` calls by name). */
function oldApp(): FunctionApp {
  const app = createApp();
  app.activity('Shared', (n: number) => n + 1);
  app.orchestration('Mixed', function* (ctx) {
    const n = (yield ctx.callActivity('Shared', ctx.getInput<number>())) as number;
    const x = (yield ctx.callActivity('X', n)) as string;
    const y = (yield ctx.callSubOrchestrator('Y', x)) as string;
    return `${y}!`;
  });
  return app;
}

/** The new code: everything the old code has, plus X and Y. */
function newApp(): FunctionApp {
  const app = oldApp();
  app.activity('X', (n: number) => `x${n}`);
  // eslint-disable-next-line require-yield -- Y takes no durable step; what matters is where it runs
  app.orchestration('Y', function* (ctx) {
    return `y(${ctx.getInput<string>()})`;
  });
  return app;
}

/** Keeps the warnings a host logs. */
function recordingLogger(): Logger & { readonly warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (message: string) => void warnings.push(message) };
}

/** The store, counting the look-ups for unrunnable work (so the test knows A looked again). */
function countingLookups(store: Store): Store & { readonly lookups: () => number } {
  let lookups = 0;
  return Object.assign(Object.create(store) as Store, {
    findUnrunnableNames: (...args: Parameters<NonNullable<Store['findUnrunnableNames']>>) => {
      lookups += 1;
      return store.findUnrunnableNames!(...args);
    },
    lookups: () => lookups,
  });
}

describe('rolling deploy: hosts with different function sets on one PostgreSQL schema', () => {
  it('work only the new host can run waits (never fails) until it starts, with one warning per missing name', async () => {
    await using schema = await createTestSchema('rolling');
    await using stores = await openTestStores(schema, 3);
    const [storeA, storeB, storeClient] = stores.stores as [Store, Store, Store];
    const logA = recordingLogger();
    const lookupsA = countingLookups(storeA);
    await using hostA = await createHost({ app: oldApp(), store: lookupsA, logger: logA, maxPollIntervalMs: 50 });
    {
      // Starts come from a client of the new code (its app knows Y).
      await using client = await createHost({ app: newApp(), store: storeClient, workers: false, logger: silentLogger });
      for (let n = 0; n < MIXED; n++) await client.client.startNew('Mixed', { instanceId: `mixed-${n}`, input: n });
      for (let n = 0; n < NEW_ONLY; n++) await client.client.startNew('Y', { instanceId: `y-${n}`, input: `direct ${n}` });

      // A runs what it can: every Mixed instance gets to X and waits there; the Y instances are never claimed.
      await waitFor('every X task to be queued', async () => {
        const [row] = await schema.query<{ n: number }>("SELECT count(*)::int AS n FROM activities WHERE name = 'X'");
        return row?.n === MIXED;
      });
      const warned = (name: string) => logA.warnings.filter((line) => line.includes(`'${name}'`)).length;
      await waitFor('warnings for X and Y', async () => warned('X') > 0 && warned('Y') > 0);
      const seen = lookupsA.lookups();
      await waitFor('host A to look again twice', async () => lookupsA.lookups() >= seen + 2);

      assert.deepEqual(await statusCounts(schema.name), { Running: MIXED, Pending: NEW_ONLY }, 'nothing failed, nothing ran Y');
      assert.equal((await hostA.client.getStatus('y-0'))?.runtimeStatus, 'Pending');
      const [xTasks] = await schema.query<{ leased: number; attempts: number }>(
        "SELECT count(*) FILTER (WHERE lease_owner IS NOT NULL)::int AS leased, max(attempt)::int AS attempts FROM activities WHERE name = 'X'",
      );
      assert.deepEqual(xTasks, { leased: 0, attempts: 0 }, 'host A never leased an X task');
      assert.equal(warned('X'), 1, 'one warning for activity X');
      assert.equal(warned('Y'), 1, 'one warning for orchestration Y');
      assert.ok(!logA.warnings.some((line) => /'(Mixed|Shared)'/.test(line)), 'no warning for what A runs');

      // The new host starts: it runs X and Y, and everything completes.
      await using hostB = await createHost({ app: newApp(), store: storeB, logger: silentLogger, maxPollIntervalMs: 50 });
      for (let n = 0; n < MIXED; n++) {
        const status = await hostB.client.waitForCompletion(`mixed-${n}`, { timeoutMs: 60_000 });
        assert.equal(status.runtimeStatus, 'Completed');
        assert.equal(status.output, `y(x${n + 1})!`);
      }
      for (let n = 0; n < NEW_ONLY; n++) {
        const status = await hostB.client.waitForCompletion(`y-${n}`, { timeoutMs: 60_000 });
        assert.equal(status.output, `y(direct ${n})`);
      }
      assert.deepEqual(await statusCounts(schema.name), { Completed: MIXED * 2 + NEW_ONLY });
      assert.equal(warned('X'), 1);
      assert.equal(warned('Y'), 1);
    }
  });
});
