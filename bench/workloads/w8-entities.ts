/**
 * @module bench/workloads/w8-entities
 * W8: durable entities.
 * - (a) 10,000 signals to one counter entity: its operations run in batches,
 *   one commit per batch;
 * - (b) 1,000 counters × 10 signals each;
 * - (c) 1,000 orchestrations that each `callEntity` one shared counter.
 * In (a) and (b) the signals are queued first (by a host without workers:
 * their rate is reported as `signalEnqueuePerS`), then a host with workers
 * is started and timed until every counter holds its total: that is the
 * rate at which queued operations are processed, the figure the targets
 * judge. (c) runs from the first start to the last completion.
 * Every final state is checked exactly: each counter's value, and in (c)
 * that the calls saw every value from 1 to 1,000 once.
 */
import { createApp, type EntityContext, type Host } from '../../src/index.ts';
import { freshStore, type BenchStore } from '../lib/fresh-store.ts';
import { formatCount, round, sleep, stopwatch } from '../lib/stats.ts';
import { bySize, Checks, type Workload, type WorkloadContext } from '../lib/workload.ts';

const TARGETS = { sqlite: { signals: 10_000, calls: 1_000 }, postgres: { signals: 2_500, calls: 250 } };

function buildApp() {
  const app = createApp();
  const counter = app.entity('counter', {
    add: (amount: number, ctx: EntityContext<number>) => {
      const value = (ctx.getState(() => 0) ?? 0) + amount;
      ctx.setState(value);
      return value;
    },
  });
  app.orchestration('CallCounter', function* (ctx) {
    const value: number = yield* ctx.callEntity(counter.id('shared'), 'add', 1);
    return value;
  });
  return app;
}

async function until(check: () => Promise<boolean>, what: string, checks: Checks, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) checks.fail(`${what} in time`);
    await sleep(5);
  }
}

/** Sends signals in slices, each slice concurrently (the client batches a tick's signals into one transaction). */

/** Queues signals through a client-only host (no workers), as a burst of callers would; returns the time taken. */
async function enqueue(client: Host, targets: readonly string[]): Promise<number> {
  const elapsed = stopwatch();
  for (let i = 0; i < targets.length; i += 2_000) {
    await Promise.all(targets.slice(i, i + 2_000).map((key) => client.client.signalEntity({ name: 'counter', key }, 'add', 1)));
  }
  return elapsed();
}

/** Starts a worker host on the queued signals and times it until every counter holds `each`. */
async function process(store: BenchStore, keys: readonly string[], each: number, label: string, checks: Checks): Promise<number> {
  await using host = await store.host(buildApp());
  const elapsed = stopwatch();
  const pending = new Set(keys);
  await until(
    async () => {
      for (const key of [...pending]) {
        if ((await host.client.readEntityState({ name: 'counter', key })).state !== each) return false;
        pending.delete(key);
      }
      return true;
    },
    `${label} every counter reached its total`,
    checks,
    300_000,
  );
  const ms = elapsed();
  for (const key of keys) {
    const response = await host.client.readEntityState({ name: 'counter', key });
    if (response.state !== each) checks.fail(`${label} every signal applied once`, `${key} = ${String(response.state)}`);
  }
  checks.passedAll(`${label} every signal applied once`);
  return ms;
}

async function calls(host: Host, orchestrations: number, checks: Checks): Promise<number> {
  const elapsed = stopwatch();
  const started = await Promise.all(Array.from({ length: orchestrations }, () => host.client.startNew('CallCounter')));
  const results = await Promise.all(started.map(({ instanceId }) => host.client.waitForCompletion(instanceId, { timeoutMs: 300_000 })));
  const ms = elapsed();
  checks.that(
    results.every((s) => s.runtimeStatus === 'Completed'),
    '(c) every calling orchestration completed',
  );
  const seen = results.map((s) => s.output as number).sort((a, b) => a - b);
  checks.equal(
    seen,
    Array.from({ length: orchestrations }, (_, i) => i + 1),
    '(c) the calls saw every value from 1 to N once',
  );
  checks.equal(
    await host.client.readEntityState({ name: 'counter', key: 'shared' }),
    { exists: true, state: orchestrations },
    '(c) the shared counter is N',
  );
  return ms;
}

export const w8: Workload = {
  id: 'W8',
  title: 'durable entities',
  stores: ['sqlite', 'postgres'],
  async run(context: WorkloadContext) {
    const checks = new Checks('W8');
    const signals = bySize(context.size, { tiny: 300, small: 3_000, full: 10_000 });
    const entities = bySize(context.size, { tiny: 30, small: 300, full: 1_000 });
    const orchestrations = bySize(context.size, { tiny: 30, small: 300, full: 1_000 });
    await using store = await freshStore(context, 'w8');
    context.log(
      `W8: ${formatCount(signals)} signals to one counter; ${formatCount(entities)} counters × 10; ${formatCount(orchestrations)} calls`,
    );
    const oneKey = Array.from({ length: signals }, () => 'one');
    const manyKeys = Array.from({ length: entities * 10 }, (_, i) => `m${i % entities}`);
    const enqueueWithoutWorkers = async (keys: readonly string[]) => {
      await using client = await store.host(buildApp(), { workers: false });
      return await enqueue(client, keys);
    };
    // Each part is queued only after the previous one was processed, so no host works ahead on it.
    const aEnqueueMs = await enqueueWithoutWorkers(oneKey);
    const aMs = await process(store, ['one'], signals, '(a)', checks);
    const bEnqueueMs = await enqueueWithoutWorkers(manyKeys);
    const bMs = await process(store, [...new Set(manyKeys)], 10, '(b)', checks);
    let cMs: number;
    {
      await using host = await store.host(buildApp());
      cMs = await calls(host, orchestrations, checks);
    }
    const target = TARGETS[context.store];
    const aPerS = round(signals / (aMs / 1000), 0);
    const bPerS = round((entities * 10) / (bMs / 1000), 0);
    const cPerS = round(orchestrations / (cMs / 1000), 0);
    const enqueuePerS = round((signals + entities * 10) / ((aEnqueueMs + bEnqueueMs) / 1000), 0);
    return {
      figures: {
        signalsOneEntity: signals,
        signalEnqueuePerS: enqueuePerS,
        oneEntityS: round(aMs / 1000, 2),
        oneEntityOpsPerS: aPerS,
        entities,
        manyEntitiesS: round(bMs / 1000, 2),
        manyEntitiesOpsPerS: bPerS,
        calls: orchestrations,
        callsS: round(cMs / 1000, 2),
        callsPerS: cPerS,
      },
      headline: `signals queued at ${formatCount(enqueuePerS)}/s; (a) ${formatCount(aPerS)} ops/s on one entity; (b) ${formatCount(bPerS)} ops/s over ${formatCount(entities)}; (c) ${formatCount(cPerS)} calls/s`,
      targets: {
        [`(a) ≥ ${formatCount(target.signals)} ops/s`]: aPerS >= target.signals,
        [`(b) ≥ ${formatCount(target.signals)} ops/s`]: bPerS >= target.signals,
        [`(c) ≥ ${formatCount(target.calls)} calls/s`]: cPerS >= target.calls,
      },
      checks: checks.passed,
    };
  },
};
