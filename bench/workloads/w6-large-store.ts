/**
 * @module bench/workloads/w6-large-store
 * W6: does the engine slow down once the store is big? W1 runs on an empty
 * store, then on a store holding `seeded` completed instances (bulk-loaded
 * with their full histories, as if they had run), and the slowdown is
 * reported (each side after a warm-up batch of up to 100). Then `pages` pages of 100 Completed instances are listed with
 * continuation tokens, one page after another, timing each call.
 */
import type { Host } from '../../src/index.ts';
import { buildBenchApp, expectedHello } from '../lib/bench-app.ts';
import { freshStore, type BenchStore } from '../lib/fresh-store.ts';
import { runWarmHelloBatch } from '../lib/hello-batch.ts';
import { SEED_HISTORY_LENGTH, seedInstanceId } from '../lib/seed-events.ts';
import { seedPostgres } from '../lib/seed-postgres.ts';
import { countSqliteInstances, seedSqlite } from '../lib/seed-sqlite.ts';
import { formatCount, mib, percentile, round, stopwatch } from '../lib/stats.ts';
import { bySize, Checks, type Workload, type WorkloadContext } from '../lib/workload.ts';
import { w1Count } from './w1-hello-sequence.ts';

const PAGE_SIZE = 100;

export const w6: Workload = {
  id: 'W6',
  title: 'large store',
  stores: ['sqlite', 'postgres'],
  async run(context) {
    const checks = new Checks('W6');
    const seeded = bySize(context.size, { tiny: 2_000, small: 20_000, full: 1_000_000 });
    const pages = bySize(context.size, { tiny: 5, small: 50, full: 200 });
    const count = w1Count(context);

    context.log(`W6: W1 (${count}) on an empty store`);
    const empty = await helloOnFreshStore(context, checks, 'w6empty');

    await using store = await freshStore(context, 'w6');
    const seedMs = await seed(context, store, seeded);
    const seededBytes = await store.sizeBytes();
    const { app } = buildBenchApp();
    await using host = await store.host(app);
    checks.equal(await countSeeded(store), seeded, 'seeded instance rows');
    await checkSeededReadsBack(host, Math.floor(seeded / 2), checks);
    context.log(`W6: W1 (${count}) on a store of ${formatCount(seeded)} instances`);
    const large = await runWarmHelloBatch(host.client, { prefix: 'w6', count, checks });
    const list = await listPages(host, pages, checks);

    const slowdownPct = round((1 - large.orchestrationsPerS / empty.orchestrationsPerS) * 100, 1);
    return {
      figures: {
        seededInstances: seeded,
        seedS: round(seedMs / 1000, 1),
        storeMiB: mib(seededBytes),
        emptyStore: { ...empty },
        largeStore: { ...large },
        slowdownPct,
        listPages: pages,
        listPageSize: PAGE_SIZE,
        listP50Ms: list.p50Ms,
        listP99Ms: list.p99Ms,
      },
      headline:
        `${formatCount(seeded)} instances (${mib(seededBytes)} MiB): W1 ${empty.orchestrationsPerS}/s → ${large.orchestrationsPerS}/s ` +
        `(${slowdownPct >= 0 ? '−' : '+'}${Math.abs(slowdownPct)}%); list p50 ${list.p50Ms} ms, p99 ${list.p99Ms} ms`,
      targets: { 'W1 slowdown <= 20%': slowdownPct <= 20, 'list p50 < 20 ms': list.p50Ms < 20 },
      checks: checks.passed,
    };
  },
};

async function helloOnFreshStore(context: WorkloadContext, checks: Checks, label: string) {
  await using store = await freshStore(context, label);
  const { app } = buildBenchApp();
  await using host = await store.host(app);
  // `return await`: the host must not be disposed while the batch still runs.
  return await runWarmHelloBatch(host.client, { prefix: label, count: w1Count(context), checks });
}

/** Bulk-loads `count` completed instances with no host running; returns the time it took. */
async function seed(context: WorkloadContext, store: BenchStore, count: number): Promise<number> {
  const migrated = await store.open();
  await migrated.close();
  context.log(`W6: seeding ${formatCount(count)} completed instances`);
  const elapsed = stopwatch();
  let lastReport = Date.now();
  const progress = (done: number) => {
    if (Date.now() - lastReport < 10_000) return;
    context.log(`W6: seeded ${formatCount(done)} / ${formatCount(count)}`);
    lastReport = Date.now();
  };
  const before = Date.now() - 60_000;
  if (store.kind === 'sqlite') {
    seedSqlite(store.sqlitePath!, count, before, progress);
  } else {
    await seedPostgres(store.admin!, store.schema!, count, before, progress);
  }
  return elapsed();
}

/** The engine must read a seeded instance as one of its own, or the comparison is meaningless. */
async function checkSeededReadsBack(host: Host, i: number, checks: Checks): Promise<void> {
  const status = await host.client.getStatus(seedInstanceId(i));
  checks.equal(
    { status: status?.runtimeStatus, output: status?.output },
    { status: 'Completed', output: expectedHello(i) },
    'a seeded instance reads back Completed with its output',
  );
  const history = await host.store.getHistory(seedInstanceId(i));
  const last = history.at(-1) as { type?: string; result?: unknown } | undefined;
  checks.equal(
    { length: history.length, last: last?.type, result: last?.result },
    { length: SEED_HISTORY_LENGTH, last: 'ExecutionCompleted', result: expectedHello(i) },
    "a seeded instance's history reads back as its 12 events",
  );
}

async function countSeeded(store: BenchStore): Promise<number> {
  if (store.kind === 'sqlite') return countSqliteInstances(store.sqlitePath!);
  const { rows } = await store.admin!.query<{ n: string }>(`SELECT count(*) AS n FROM ${JSON.stringify(store.schema)}.instances`);
  return Number(rows[0]?.n);
}

async function listPages(host: Host, pages: number, checks: Checks) {
  const latencies: number[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  let lastCreated = '';
  for (let page = 0; page < pages; page++) {
    const elapsed = stopwatch();
    const result = await host.client.listInstances({
      runtimeStatus: ['Completed'],
      pageSize: PAGE_SIZE,
      ...(token ? { continuationToken: token } : {}),
    });
    latencies.push(elapsed());
    if (result.instances.length !== PAGE_SIZE)
      checks.fail(`every page holds ${PAGE_SIZE} instances`, `page ${page}: ${result.instances.length}`);
    for (const instance of result.instances) {
      if (instance.runtimeStatus !== 'Completed')
        checks.fail('listed instances are Completed', `${instance.instanceId}: ${instance.runtimeStatus}`);
      if (seen.has(instance.instanceId)) checks.fail('paging never repeats an instance', instance.instanceId);
      if (instance.createdTime < lastCreated) checks.fail('pages come in created-time order', instance.instanceId);
      seen.add(instance.instanceId);
      lastCreated = instance.createdTime;
    }
    token = result.continuationToken;
    if (!token && page < pages - 1) checks.fail(`${pages} pages are available`, `no token after page ${page}`);
  }
  checks.passedAll(`${pages} pages of ${PAGE_SIZE} Completed instances, in order, without repeats`);
  return { p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) };
}
