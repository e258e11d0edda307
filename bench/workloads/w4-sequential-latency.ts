/**
 * @module bench/workloads/w4-sequential-latency
 * W4: latency of one orchestration when nothing else runs. HelloSequence
 * instances are run one after another (start, wait for the result, next),
 * first in process through the client, then over HTTP against a real
 * `perdure start` server process serving bench/lib/http-bench-app.ts,
 * where one POST starts the instance and answers with its output.
 *
 * A third run measures in process again while the host's retention purges
 * a backlog of expired instances (issue 13: retention must not disturb the
 * workload's latency).
 *
 * If the server cannot be started (the CLI is missing or exits), the HTTP
 * figure is `"unavailable: <reason>"` and the in-process figures still count.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DurableClient } from '../../src/index.ts';
import { buildBenchApp, expectedHello } from '../lib/bench-app.ts';
import { freshStore, type BenchStore } from '../lib/fresh-store.ts';
import { seedPostgres } from '../lib/seed-postgres.ts';
import { seedSqlite } from '../lib/seed-sqlite.ts';
import { freePort, lastLine, spawnTs, type ChildRun } from '../lib/processes.ts';
import { percentile, round, sleep, stopwatch } from '../lib/stats.ts';
import { bySize, Checks, type Workload, type WorkloadContext } from '../lib/workload.ts';

const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const HTTP_APP = fileURLToPath(new URL('../lib/http-bench-app.ts', import.meta.url));
const WARMUP = 10;

export const w4: Workload = {
  id: 'W4',
  title: 'sequential latency',
  stores: ['sqlite', 'postgres'],
  async run(context) {
    const checks = new Checks('W4');
    const count = bySize(context.size, { tiny: 20, small: 100, full: 200 });
    context.log(`W4: ${count} sequential HelloSequence instances in process`);
    const inProcess = await inProcessLatency(context, count, checks);
    const expired = bySize(context.size, { tiny: 500, small: 20_000, full: 100_000 });
    context.log(`W4: ${count} sequential HelloSequence instances in process while retention purges ${expired} expired instances`);
    const withRetention = await retentionLatency(context, count, expired, checks);
    context.log(`W4: ${count} sequential HelloSequence instances over HTTP`);
    const http = await httpLatency(context, count, checks);
    const httpText = typeof http === 'string' ? http : `over HTTP p50 ${http.p50Ms} ms, p99 ${http.p99Ms} ms`;
    return {
      figures: { instances: count, p50Ms: inProcess.p50Ms, p99Ms: inProcess.p99Ms, http, withRetention },
      headline:
        `in process p50 ${inProcess.p50Ms} ms, p99 ${inProcess.p99Ms} ms; ${httpText}; ` +
        `with retention purging p50 ${withRetention.p50Ms} ms, p99 ${withRetention.p99Ms} ms`,
      targets: {
        'p50 < 1 ms in process': inProcess.p50Ms < 1,
        'p50 < 3 ms over HTTP': typeof http !== 'string' && http.p50Ms < 3,
      },
      checks: checks.passed,
    };
  },
};

async function inProcessLatency(context: WorkloadContext, count: number, checks: Checks) {
  await using store = await freshStore(context, 'w4');
  const { app } = buildBenchApp();
  await using host = await store.host(app);
  await sequence(host.client, 'w4-warmup', WARMUP, checks);
  const latencies = await sequence(host.client, 'w4', count, checks);
  checks.passedAll(`${count + WARMUP} sequential outputs are correct (in process)`);
  return { p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) };
}

/** W4 in process for as long as retention is purging `expired` instances that finished two days ago. */
async function retentionLatency(context: WorkloadContext, count: number, expired: number, checks: Checks) {
  await using store = await freshStore(context, 'w4retention');
  await seedExpired(store, expired);
  const { app } = buildBenchApp();
  const elapsed = stopwatch();
  await using host = await store.host(app, { retention: { completed: DAY_MS, intervalMs: 1_000 } });
  const latencies: number[] = [];
  // Only instances that ran while the purge was going count: stop when it is done.
  for (let batch = 0; batch * 10 < count * 100 && (await expiredLeft(host.client)); batch++) {
    latencies.push(...(await sequence(host.client, `w4r-${batch}`, 10, checks)));
  }
  const purgeSeconds = round(elapsed() / 1000, 2);
  if (latencies.length < 10)
    checks.fail('instances ran while retention purged', `the purge of ${expired} was over after ${latencies.length} instances`);
  checks.passedAll(`${latencies.length} sequential outputs are correct (in process, retention purging)`);
  return {
    expired,
    instances: latencies.length,
    purgeSeconds,
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
  };
}

const DAY_MS = 86_400_000;

async function seedExpired(store: BenchStore, count: number): Promise<void> {
  const migrated = await store.open();
  await migrated.close();
  const before = Date.now() - 2 * DAY_MS;
  if (store.kind === 'sqlite') seedSqlite(store.sqlitePath!, count, before, () => {});
  else await seedPostgres(store.admin!, store.schema!, count, before, () => {});
}

async function expiredLeft(client: DurableClient): Promise<boolean> {
  const page = await client.listInstances({ createdTimeTo: new Date(Date.now() - DAY_MS), pageSize: 1 });
  return page.instances.length > 0;
}

async function sequence(client: DurableClient, prefix: string, count: number, checks: Checks): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const instanceId = `${prefix}-${i}`;
    const elapsed = stopwatch();
    await client.startNew('HelloSequence', { instanceId, input: i });
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
    latencies.push(elapsed());
    if (status.runtimeStatus !== 'Completed' || JSON.stringify(status.output) !== JSON.stringify(expectedHello(i))) {
      checks.fail('sequential HelloSequence output is correct', `${instanceId}: ${status.runtimeStatus} ${JSON.stringify(status.output)}`);
    }
  }
  return latencies;
}

async function httpLatency(context: WorkloadContext, count: number, checks: Checks): Promise<{ p50Ms: number; p99Ms: number } | string> {
  if (!existsSync(CLI_MAIN)) return 'unavailable: src/cli/main.ts (the perdure start CLI) does not exist yet';
  await using store = await freshStore(context, 'w4http');
  // A clean working directory, so no perdure.config.* of the repo is picked up by the server.
  const cwd = mkdtempSync(join(tmpdir(), 'perdure-bench-w4-'));
  let server: ChildRun | undefined;
  try {
    const port = await freePort();
    server = spawnTs(CLI_MAIN, ['start', HTTP_APP, '--port', String(port), '--store', store.url], { cwd });
    const base = `http://127.0.0.1:${port}/api`;
    const ready = await waitUntilServing(server, `${base}/bench/ready`);
    if (ready !== true) return `unavailable: ${ready}`;
    await httpSequence(base, 'w4http-warmup', WARMUP, checks);
    const latencies = await httpSequence(base, 'w4http', count, checks);
    checks.passedAll(`${count + WARMUP} sequential outputs are correct (over HTTP)`);
    return { p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) };
  } finally {
    await server?.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** `true` once the ready route answers 200, else why the server never came up. */
export async function waitUntilServing(server: ChildRun, readyUrl: string): Promise<true | string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const exited = await Promise.race([server.exited, sleep(100).then(() => undefined)]);
    if (exited !== undefined) return `perdure start exited (${exited}): ${lastLine(server.stderr())}`;
    try {
      const response = await fetch(readyUrl);
      await response.arrayBuffer();
      if (response.ok) return true;
    } catch {
      // Not listening yet.
    }
  }
  return `perdure start did not serve ${readyUrl} within 60 s: ${lastLine(server.stderr())}`;
}

async function httpSequence(base: string, prefix: string, count: number, checks: Checks): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const elapsed = stopwatch();
    const response = await fetch(`${base}/bench/hello/${prefix}-${i}?n=${i}`, { method: 'POST' });
    const body = await response.text();
    latencies.push(elapsed());
    if (response.status !== 200 || canonical(body) !== JSON.stringify(expectedHello(i))) {
      checks.fail('HelloSequence output over HTTP is correct', `POST ${prefix}-${i}: HTTP ${response.status} ${body.slice(0, 200)}`);
    }
  }
  return latencies;
}

function canonical(body: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(body));
  } catch {
    return undefined;
  }
}
