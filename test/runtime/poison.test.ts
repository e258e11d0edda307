/**
 * @module test/runtime/poison.test
 * Poison protection and turn budgets in one process, on SQLite and on
 * PostgreSQL. Deliveries that "died" are made the way a dead host leaves
 * them: a claim (or a hung run on a host whose clock stands still) whose
 * lease then expires for the next host.
 * - A poisoned activity fails its instance through try/catch and a retry
 *   policy, and is not run again.
 * - A poisoned turn fails its instance without running orchestrator code.
 * - A termination runs no orchestrator code (no replay).
 * - An activity queued by a redelivered turn reports attempt 2.
 * - A spinning orchestrator is stopped at its budget and fails after
 *   maxDeliveries tries, while the event loop and other instances go on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, createManualClock, RetryPolicy, type FunctionApp } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

interface Fixture extends AsyncDisposable {
  readonly store: Store;
}

const stores: Record<string, () => Promise<Fixture>> = {
  sqlite: async () => {
    const dir = createTempDir('perdure-poison-');
    const store = await openStore(`sqlite:${dir.file('perdure.db')}`);
    return { store, [Symbol.asyncDispose]: async () => (await store.close(), dir[Symbol.dispose]()) };
  },
  postgres: async () => {
    const schema = await createTestSchema('poison');
    const store = await openStore(schema.url);
    return { store, [Symbol.asyncDispose]: async () => (await store.close(), await schema.drop()) };
  },
};

const T0 = Date.UTC(2031, 0, 1);
const LEASE_MS = 1_000;

interface Counters {
  generatorStarts: number;
  activityRuns: { attempt: number; leaseToken: number }[];
}

/** `hang`: the activity waits for its abort signal, as on a host that died while running it. */
function poisonApp(counters: Counters, hang = false): FunctionApp {
  const app = createApp();
  const flaky = app.activity('Flaky', async (_: undefined, ctx) => {
    counters.activityRuns.push({ attempt: ctx.attempt, leaseToken: ctx.leaseToken });
    if (hang) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    return 'ran';
  });
  app.orchestration('Guarded', function* (ctx) {
    counters.generatorStarts += 1;
    try {
      return yield* ctx.callActivityWithRetry(flaky, new RetryPolicy({ firstRetryIntervalMs: 1, maxNumberOfAttempts: 10 }));
    } catch {
      return 'caught';
    }
  });
  app.orchestration('WaitsForEvent', function* (ctx) {
    counters.generatorStarts += 1;
    return yield* ctx.waitForExternalEvent('Go');
  });
  // eslint-disable-next-line require-yield -- the point: it never yields
  app.orchestration('Spins', function* () {
    for (;;) {
      // never yields
    }
  });
  app.orchestration('Quick', function* (ctx) {
    return yield* ctx.callActivity(flaky);
  });
  return app;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const fresh = (): Counters => ({ generatorStarts: 0, activityRuns: [] });

for (const [kind, open] of Object.entries(stores)) {
  describe(`poison protection on ${kind}`, () => {
    it('fails the instance of an activity delivered maxDeliveries times without a result, past catch and retry', async () => {
      await using fixture = await open();
      const options = {
        store: fixture.store,
        logger: silentLogger,
        maxDeliveries: 2,
        activities: { leaseMs: LEASE_MS },
        shutdownGraceMs: 0,
      };
      const hung = fresh();
      // Two hosts take the task in turn and never finish it; their clocks stand still, so their leases lapse for the next.
      const a = await createHost({
        ...options,
        app: poisonApp(hung, true),
        clock: createManualClock(T0),
        orchestrations: { inlineActivityWindowMs: 0 },
      });
      const { instanceId } = await a.client.startNew('Guarded');
      await until(() => hung.activityRuns.length === 1, 'the first delivery');
      const b = await createHost({ ...options, app: poisonApp(hung, true), clock: createManualClock(T0 + 5_000) });
      await until(() => hung.activityRuns.length === 2, 'the second delivery');
      const healthy = fresh();
      const c = await createHost({ ...options, app: poisonApp(healthy), clock: createManualClock(T0 + 10_000) });
      try {
        const status = await c.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
        assert.equal(status.runtimeStatus, 'Failed', 'neither the catch nor the retry policy may run poisoned work again');
        assert.equal(status.failureDetails?.name, 'PoisonedWorkError');
        assert.match(status.failureDetails?.message ?? '', /Activity 'Flaky' \(task #0 of instance '[^']+'\)/);
        assert.match(status.failureDetails?.message ?? '', /delivered 2 times/);
        assert.deepEqual(healthy.activityRuns, [], 'the third delivery did not run the activity');
        assert.deepEqual(
          hung.activityRuns.map((r) => r.attempt),
          [1, 2],
        );
      } finally {
        await Promise.all([a.stop(), b.stop(), c.stop()]);
      }
    });

    it('fails the instance of a turn delivered maxDeliveries times without a result, without running its code', async () => {
      await using fixture = await open();
      const counters = fresh();
      await using client = await createHost({ app: poisonApp(counters), store: fixture.store, workers: false, logger: silentLogger });
      const { instanceId } = await client.client.startNew('WaitsForEvent');
      // Three hosts claimed the first turn and died before committing.
      for (let i = 0; i < 3; i++) {
        const claimed = await fixture.store.claimOrchestrations({
          owner: `dead-${i}`,
          leaseMs: LEASE_MS,
          limit: 10,
          now: T0 + i * LEASE_MS,
        });
        assert.equal(claimed[0]?.deliveries, i + 1);
      }
      const host = await createHost({
        app: poisonApp(counters),
        store: fixture.store,
        clock: createManualClock(T0 + 3 * LEASE_MS),
        logger: silentLogger,
        maxDeliveries: 3,
      });
      try {
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
        assert.equal(status.runtimeStatus, 'Failed');
        assert.equal(status.failureDetails?.name, 'PoisonedWorkError');
        assert.match(status.failureDetails?.message ?? '', /Orchestration 'WaitsForEvent' .* delivered 3 times/);
        assert.equal(counters.generatorStarts, 0, 'the orchestrator never ran');
      } finally {
        await host.stop();
      }
    });

    it('terminates without replaying the orchestrator', async () => {
      await using fixture = await open();
      const counters = fresh();
      const first = await createHost({ app: poisonApp(counters), store: fixture.store, logger: silentLogger });
      const { instanceId } = await first.client.startNew('WaitsForEvent');
      await until(async () => (await first.client.getStatus(instanceId))?.runtimeStatus === 'Running', 'the first turn');
      await first.stop();
      assert.equal(counters.generatorStarts, 1);
      // A new host has no cached session: before, it replayed the orchestrator to apply the termination.
      const second = await createHost({ app: poisonApp(counters), store: fixture.store, logger: silentLogger });
      try {
        await second.client.terminate(instanceId, 'stop it');
        const status = await second.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
        assert.equal(status.runtimeStatus, 'Terminated');
        assert.equal(status.output, 'stop it');
        assert.equal(counters.generatorStarts, 1, 'the termination ran no orchestrator code');
        const history = await fixture.store.getHistory(instanceId);
        assert.equal(history.at(-1)?.type, 'ExecutionTerminated');
      } finally {
        await second.stop();
      }
    });

    it('tells an activity queued by a redelivered turn that it is its second delivery', async () => {
      await using fixture = await open();
      const counters = fresh();
      await using client = await createHost({ app: poisonApp(counters), store: fixture.store, workers: false, logger: silentLogger });
      const { instanceId } = await client.client.startNew('Quick');
      // A host claimed the first turn, may have run its activity inline, and died.
      await fixture.store.claimOrchestrations({ owner: 'dead', leaseMs: LEASE_MS, limit: 10, now: T0 });
      const host = await createHost({
        app: poisonApp(counters),
        store: fixture.store,
        clock: createManualClock(T0 + LEASE_MS),
        logger: silentLogger,
      });
      try {
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
        assert.equal(status.output, 'ran');
        assert.deepEqual(counters.activityRuns, [{ attempt: 2, leaseToken: 2 }]);
      } finally {
        await host.stop();
      }
    });

    it('stops a spinning orchestrator at its budget and fails it after maxDeliveries, while other work goes on', async () => {
      await using fixture = await open();
      const counters = fresh();
      const host = await createHost({
        app: poisonApp(counters),
        store: fixture.store,
        logger: silentLogger,
        maxDeliveries: 3,
        orchestrations: { turnBudgetMs: 50 },
      });
      let ticks = 0;
      const ticker = setInterval(() => (ticks += 1), 5);
      try {
        const spinning = await host.client.startNew('Spins');
        const quick = await host.client.startNew('Quick');
        assert.equal((await host.client.waitForCompletion(quick.instanceId, { timeoutMs: 60_000 })).output, 'ran');
        const status = await host.client.waitForCompletion(spinning.instanceId, { timeoutMs: 60_000 });
        assert.equal(status.runtimeStatus, 'Failed');
        assert.equal(status.failureDetails?.name, 'TurnBudgetExceededError');
        assert.match(status.failureDetails?.message ?? '', /did not yield within its turn budget of 50 ms/);
        assert.ok(ticks > 0, 'the event loop kept turning');
      } finally {
        clearInterval(ticker);
        await host.stop();
      }
    });
  });
}
