/**
 * @module bench/workloads/w9-sleeping-singletons
 * W9: many long-lived singletons that mostly sleep. `count` Monitor
 * instances (bench/lib/monitor-app.ts, deterministic IDs) each wait on a
 * timer `periodMs` after their generation began, call one activity and
 * continue as new, for `generations` generations. The hosts run as child
 * processes (bench/lib/monitor-host.ts): one on SQLite, two sharing the
 * database on PostgreSQL; a client-only host in this process starts them.
 *
 * Measured: the start rate; with every monitor asleep, each host's RSS and
 * the store's size; each host's CPU over a quiet window before the first
 * timer is due (nothing in this process talks to the hosts or the store
 * during it); and timer lateness, the time from each timer's due time to
 * its activity starting. The session cache is bounded (the host option
 * `sessionCacheSize`); the figures give the bound, below the count.
 *
 * Checks: every monitor ran exactly one activity per generation (over all
 * hosts), and every monitor completed its last generation.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DurableClient } from '../../src/index.ts';
import { freshStore, type BenchStore } from '../lib/fresh-store.ts';
import { buildMonitorApp } from '../lib/monitor-app.ts';
import { spawnTs, type ChildRun } from '../lib/processes.ts';
import { formatCount, mib, percentile, round, sleep, stopwatch } from '../lib/stats.ts';
import { bySize, Checks, type Workload, type WorkloadContext } from '../lib/workload.ts';

const MONITOR_HOST = fileURLToPath(new URL('../lib/monitor-host.ts', import.meta.url));
const PREFIX = 'w9-monitor-';
const MAX_IDLE_CPU_PCT = 2;
const MAX_P99_LATENESS_MS = 250;

interface Sizing {
  readonly count: number;
  readonly periodMs: number;
  readonly generations: number;
  readonly sessionCacheSize: number;
  /** Time left after the last start settles before the quiet window opens, and before the first due time it closes. */
  readonly marginMs: number;
}

const SIZING: Record<'tiny' | 'small' | 'full', Sizing> = {
  tiny: { count: 20, periodMs: 2_000, generations: 2, sessionCacheSize: 5, marginMs: 200 },
  small: { count: 2_000, periodMs: 20_000, generations: 2, sessionCacheSize: 500, marginMs: 500 },
  full: { count: 100_000, periodMs: 60_000, generations: 2, sessionCacheSize: 10_000, marginMs: 2_000 },
};

interface HostStats {
  readonly cpuUs: number;
  readonly at: number;
  readonly rss: number;
  readonly calls: number;
}

export const w9: Workload = {
  id: 'W9',
  title: 'sleeping singletons',
  stores: ['sqlite', 'postgres'],
  async run(context) {
    const checks = new Checks('W9');
    const sizing = bySize(context.size, SIZING);
    const hostCount = context.store === 'sqlite' ? 1 : 2;
    context.log(
      `W9: ${formatCount(sizing.count)} monitors, ${sizing.periodMs / 1000} s timers, ${sizing.generations} generations, ${hostCount} host process(es)`,
    );
    await using store = await freshStore(context, 'w9');
    await (await store.open()).close(); // migrate once, so the hosts do not race to create the schema
    const dir = mkdtempSync(join(tmpdir(), 'perdure-bench-w9-'));
    const hosts: ChildRun[] = [];
    try {
      for (let i = 0; i < hostCount; i++)
        hosts.push(spawnTs(MONITOR_HOST, [store.url, String(sizing.sessionCacheSize), join(dir, `records-${i}.txt`)]));
      await Promise.all(hosts.map((host) => host.waitForLine((line) => line === 'READY', 60_000)));
      return await measure(context, store, hosts, sizing, dir, checks);
    } finally {
      await Promise.all(hosts.map((host) => host.stop()));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function measure(
  context: WorkloadContext,
  store: BenchStore,
  hosts: readonly ChildRun[],
  sizing: Sizing,
  dir: string,
  checks: Checks,
) {
  const { app } = buildMonitorApp();
  await using client = await store.host(app, { workers: false });
  const startedAt = Date.now();
  const startMs = await startAll(client.client, sizing);
  const asleepMs = await untilNone(client.client, ['Pending'], 120_000 + sizing.count);
  context.log(`W9: ${formatCount(sizing.count)} started in ${round(startMs / 1000, 1)} s, all asleep after ${round(asleepMs / 1000, 1)} s`);
  const idle = await quietWindow(hosts, sizing, startedAt);
  if (idle === null) context.log('W9: no quiet window before the first timer was due: idle CPU not measured');
  const asleep = {
    storeMiB: mib(await store.sizeBytes()),
    rssMiB: await Promise.all(hosts.map(async (h) => mib((await ask(h, 'rss')).rss as number))),
  };
  context.log(
    `W9: asleep: store ${asleep.storeMiB} MiB, host RSS ${asleep.rssMiB.join(', ')} MiB; waiting for ${sizing.generations} generations`,
  );
  await untilNone(
    client.client,
    ['Pending', 'Running', 'ContinuedAsNew'],
    sizing.periodMs * sizing.generations * 3 + 120_000 + sizing.count * 2,
  );
  await checkCompleted(client.client, sizing, checks);
  const lateness = await collectRecords(hosts, sizing, dir, checks);
  const startsPerS = round(sizing.count / (startMs / 1000), 1);
  const maxIdleCpu = idle === null ? null : Math.max(...idle.cpuPct);
  return {
    figures: {
      monitors: sizing.count,
      periodS: sizing.periodMs / 1000,
      generations: sizing.generations,
      hosts: hosts.length,
      sessionCacheSize: sizing.sessionCacheSize,
      startsPerS,
      asleepStoreMiB: asleep.storeMiB,
      asleepRssMiB: asleep.rssMiB,
      idleCpuPct: idle?.cpuPct ?? null,
      idleWindowS: idle?.windowS ?? null,
      ...lateness,
    },
    headline:
      `${formatCount(sizing.count)} monitors on ${hosts.length} host(s): ${startsPerS} starts/s; asleep RSS ${asleep.rssMiB.join(' + ')} MiB, ` +
      `store ${asleep.storeMiB} MiB, idle CPU ${idle === null ? 'n/a' : idle.cpuPct.join(' + ') + '%'}; ` +
      `lateness p50 ${lateness.latenessP50Ms} ms, p99 ${lateness.latenessP99Ms} ms`,
    targets: {
      [`idle CPU < ${MAX_IDLE_CPU_PCT}% of one core per host`]: maxIdleCpu !== null && maxIdleCpu < MAX_IDLE_CPU_PCT,
      [`timer lateness p99 < ${MAX_P99_LATENESS_MS} ms`]: lateness.latenessP99Ms < MAX_P99_LATENESS_MS,
      'session cache bounded below the monitor count': sizing.sessionCacheSize < sizing.count,
    },
    checks: checks.passed,
  };
}

/** Starts every monitor, 1,000 at a time; returns how long it took. */
async function startAll(client: DurableClient, sizing: Sizing): Promise<number> {
  const elapsed = stopwatch();
  const input = { gen: 0, generations: sizing.generations, periodMs: sizing.periodMs };
  for (let from = 0; from < sizing.count; from += 1_000) {
    const ids = Array.from({ length: Math.min(1_000, sizing.count - from) }, (_, i) => `${PREFIX}${from + i}`);
    await Promise.all(ids.map((instanceId) => client.startNew('Monitor', { instanceId, input })));
  }
  return elapsed();
}

/** Polls (every 50 ms) until no monitor has one of `statuses`; returns how long that took. */
async function untilNone(
  client: DurableClient,
  statuses: ('Pending' | 'Running' | 'ContinuedAsNew')[],
  timeoutMs: number,
): Promise<number> {
  const elapsed = stopwatch();
  for (;;) {
    const live = await client.listInstances({ runtimeStatus: statuses, instanceIdPrefix: PREFIX, pageSize: 1 });
    if (live.instances.length === 0) return elapsed();
    if (elapsed() > timeoutMs)
      throw new Error(`W9: monitors still ${statuses.join('/')} after ${timeoutMs} ms (e.g. ${live.instances[0]?.instanceId})`);
    await sleep(50);
  }
}

/**
 * Each host's CPU (percent of one core) from `margin` after every monitor
 * is asleep until `margin` before the first timer is due; null when the
 * starts took so long that no such window is left.
 */
async function quietWindow(hosts: readonly ChildRun[], sizing: Sizing, startedAt: number) {
  await sleep(sizing.marginMs);
  const end = startedAt + sizing.periodMs - sizing.marginMs;
  if (end - Date.now() < sizing.marginMs) return null;
  const before = await Promise.all(hosts.map((h) => ask(h, 'stats').then((l) => l.stats as HostStats)));
  await sleep(end - Date.now());
  const after = await Promise.all(hosts.map((h) => ask(h, 'stats').then((l) => l.stats as HostStats)));
  // A fire inside the window means it was not quiet: say so rather than report a busy host as idle.
  if (after.some((a, i) => a.calls !== before[i]!.calls)) return null;
  return {
    windowS: round((after[0]!.at - before[0]!.at) / 1000, 1),
    cpuPct: after.map((a, i) => round(((a.cpuUs - before[i]!.cpuUs) / 1000 / (a.at - before[i]!.at)) * 100, 2)),
  };
}

/** Sends a command line and waits for the JSON answer that comes after it. */
async function ask(host: ChildRun, command: 'stats' | 'rss'): Promise<Record<string, unknown>> {
  const from = host.lines.length;
  host.send(`${command}\n`);
  const line = await host.waitForLine((l) => host.lines.indexOf(l, from) >= from && l.startsWith(`{"${command}"`), 30_000);
  return JSON.parse(line) as Record<string, unknown>;
}

async function checkCompleted(client: DurableClient, sizing: Sizing, checks: Checks): Promise<void> {
  let seen = 0;
  let token: string | undefined;
  do {
    const page = await client.listInstances({ instanceIdPrefix: PREFIX, pageSize: 1_000, ...(token ? { continuationToken: token } : {}) });
    for (const instance of page.instances) {
      if (instance.runtimeStatus !== 'Completed' || instance.output !== sizing.generations)
        checks.fail(
          'every monitor completed its last generation',
          `${instance.instanceId}: ${instance.runtimeStatus} ${JSON.stringify(instance.output)}`,
        );
      seen++;
    }
    token = page.continuationToken;
  } while (token);
  checks.equal(seen, sizing.count, 'monitors in the store');
}

/** Stops the hosts, merges their records, checks one activity per monitor and generation, and sums up lateness. */
async function collectRecords(hosts: readonly ChildRun[], sizing: Sizing, dir: string, checks: Checks) {
  for (const host of hosts) host.send('stop\n');
  const calls = await Promise.all(
    hosts.map(
      async (h) => (JSON.parse(await h.waitForLine((l) => l.startsWith('{"pid"'), 60_000)) as { activityCalls: number }).activityCalls,
    ),
  );
  const runs = new Map<string, number>();
  const lateness: number[] = [];
  const dueByGen = Array.from({ length: sizing.generations }, () => ({ min: Infinity, max: -Infinity }));
  for (const record of hosts.flatMap((_, i) => readRecords(join(dir, `records-${i}.txt`)))) {
    const key = `${record.id} ${record.gen}`;
    runs.set(key, (runs.get(key) ?? 0) + 1);
    lateness.push(record.startedAt - record.dueAt);
    const due = dueByGen[record.gen];
    if (due) {
      due.min = Math.min(due.min, record.dueAt);
      due.max = Math.max(due.max, record.dueAt);
    }
  }
  for (let n = 0; n < sizing.count; n++)
    for (let gen = 0; gen < sizing.generations; gen++) {
      const ran = runs.get(`${PREFIX}${n} ${gen}`) ?? 0;
      if (ran !== 1) checks.fail('each monitor ran exactly one activity per generation', `${PREFIX}${n} generation ${gen}: ${ran} runs`);
    }
  checks.passedAll('each monitor ran exactly one activity per generation');
  checks.equal(lateness.length, sizing.count * sizing.generations, 'activity runs over all hosts');
  return {
    activitiesPerHost: calls,
    latenessP50Ms: round(percentile(lateness, 50), 1),
    latenessP99Ms: round(percentile(lateness, 99), 1),
    latenessMaxMs: round(
      lateness.reduce((a, b) => Math.max(a, b), -Infinity),
      1,
    ),
    dueSpreadS: dueByGen.map((d) => round((d.max - d.min) / 1000, 1)),
  };
}

function readRecords(path: string): { id: string; gen: number; dueAt: number; startedAt: number }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', gen, dueAt, startedAt] = line.split(' ');
      return { id, gen: Number(gen), dueAt: Number(dueAt), startedAt: Number(startedAt) };
    });
}
