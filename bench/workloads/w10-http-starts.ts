/**
 * @module bench/workloads/w10-http-starts
 * W10: start throughput over HTTP. A real `perdure start` process serves
 * bench/lib/http-bench-app.ts; an open-loop generator (bench/lib/open-loop.ts)
 * POSTs to the management start route
 * (`/runtime/webhooks/durabletask/orchestrators/HelloSequence/{id}`) over
 * keep-alive connections at each offered rate in turn. Per rate: the rate
 * achieved, p50/p99 latency from the scheduled send, errors (any answer but
 * 202, or a network error) and the server's peak RSS. Between rates the
 * server drains its backlog, so each rate starts from an idle host; the
 * drain time is reported too (the instances really run: start and run
 * share the server's CPU, as they would in production).
 *
 * The knee is the highest rate sustained: achieved within 5% of offered, no
 * errors and p99 under KNEE_P99_MS. PERDURE_BENCH_CPU_PROF=<dir> runs the
 * server with --cpu-prof into that directory, to see where its time goes.
 *
 * Checks: every 202 named an instance that then completed with the right output.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DurableClient } from '../../src/index.ts';
import { buildBenchApp, expectedHello } from '../lib/bench-app.ts';
import { freshStore } from '../lib/fresh-store.ts';
import { openLoop } from '../lib/open-loop.ts';
import { freePort, spawnTs, type ChildRun } from '../lib/processes.ts';
import { formatCount, mib, percentile, round, sleep, stopwatch } from '../lib/stats.ts';
import { bySize, Checks, type Workload, type WorkloadContext } from '../lib/workload.ts';
import { waitUntilServing } from './w4-sequential-latency.ts';

const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const HTTP_APP = fileURLToPath(new URL('../lib/http-bench-app.ts', import.meta.url));
const START_PATH = '/runtime/webhooks/durabletask/orchestrators/HelloSequence';
const KNEE_P99_MS = 100;
const KNEE_TARGET_PER_S = 2_000;

interface RateFigures {
  readonly offeredPerS: number;
  readonly durationS: number;
  readonly sent: number;
  readonly achievedPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly serverRssPeakMiB: number | null;
  readonly drainS: number;
}

export const w10: Workload = {
  id: 'W10',
  title: 'HTTP start throughput',
  stores: ['sqlite', 'postgres'],
  async run(context) {
    const checks = new Checks('W10');
    const rates = bySize(context.size, { tiny: [50, 100], small: [250, 500, 1_000], full: [500, 1_000, 2_000, 4_000] });
    const durationMs = bySize(context.size, { tiny: 1_000, small: 5_000, full: 20_000 });
    await using store = await freshStore(context, 'w10');
    const cwd = mkdtempSync(join(tmpdir(), 'perdure-bench-w10-'));
    const profileDir = process.env.PERDURE_BENCH_CPU_PROF;
    let server: ChildRun | undefined;
    try {
      const port = await freePort();
      server = spawnTs(CLI_MAIN, ['start', HTTP_APP, '--port', String(port), '--store', store.url, '--log-level', 'warn'], {
        cwd,
        ...(profileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
      });
      const ready = await waitUntilServing(server, `http://127.0.0.1:${port}/api/bench/ready`);
      if (ready !== true) checks.fail('perdure start serves', ready);
      const { app } = buildBenchApp();
      await using client = await store.host(app, { workers: false });
      await warmUp(port, bySize(context.size, { tiny: 20, small: 200, full: 200 }));
      const figures: RateFigures[] = [];
      for (const rate of rates) {
        context.log(`W10: ${formatCount(rate)} starts/s for ${durationMs / 1000} s`);
        figures.push(await runRate(context, { port, rate, durationMs, pid: server.child.pid!, client: client.client }, checks));
      }
      return summarize(figures, checks);
    } finally {
      await server?.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
  },
};

interface RateRun {
  readonly port: number;
  readonly rate: number;
  readonly durationMs: number;
  readonly pid: number;
  readonly client: DurableClient;
}

async function runRate(context: WorkloadContext, run: RateRun, checks: Checks): Promise<RateFigures> {
  const prefix = `w10-r${run.rate}-`;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOfPid(run.pid) ?? 0)), 250);
  const result = await openLoop({
    rate: run.rate,
    durationMs: run.durationMs,
    port: run.port,
    requestFor: (i) => ({ path: `${START_PATH}/${prefix}${i}`, body: String(i) }),
  }).finally(() => clearInterval(sampler));
  const accepted = result.statuses.filter((s) => s === 202).length;
  const errors = result.sent - accepted;
  if (errors > 0)
    context.log(`W10: ${errors} errors at ${run.rate}/s, e.g. ${result.firstError ?? `HTTP ${result.statuses.find((s) => s !== 202)}`}`);
  const drained = stopwatch();
  await untilNoneLive(run.client, prefix, 300_000 + result.sent * 20);
  const drainS = round(drained() / 1000, 1);
  await checkOutputs(run.client, prefix, result.statuses, checks);
  return {
    offeredPerS: run.rate,
    durationS: run.durationMs / 1000,
    sent: result.sent,
    achievedPerS: round(accepted / (result.wallMs / 1000), 1),
    p50Ms: round(percentile(result.latencies, 50), 2),
    p99Ms: round(percentile(result.latencies, 99), 2),
    errors,
    serverRssPeakMiB: peakRss > 0 ? mib(peakRss) : null,
    drainS,
  };
}

function summarize(figures: readonly RateFigures[], checks: Checks) {
  const sustained = figures.filter((f) => f.errors === 0 && f.achievedPerS >= f.offeredPerS * 0.95 && f.p99Ms < KNEE_P99_MS);
  const knee = sustained.length > 0 ? Math.max(...sustained.map((f) => f.offeredPerS)) : null;
  return {
    figures: { rates: figures.map((f) => ({ ...f })), kneePerS: knee, kneeP99BoundMs: KNEE_P99_MS },
    headline:
      figures
        .map((f) => `${formatCount(f.offeredPerS)}/s → ${formatCount(f.achievedPerS)}/s p50 ${f.p50Ms} p99 ${f.p99Ms} ms, ${f.errors} err`)
        .join('; ') + `; knee ${knee === null ? 'below the lowest rate' : `${formatCount(knee)}/s`}`,
    targets: {
      [`knee (p99 < ${KNEE_P99_MS} ms, no errors) >= ${formatCount(KNEE_TARGET_PER_S)}/s`]: knee !== null && knee >= KNEE_TARGET_PER_S,
    },
    checks: checks.passed,
  };
}

/** Sequential starts first, so the first rate does not pay for module loading and JIT warm-up. */
async function warmUp(port: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`http://127.0.0.1:${port}${START_PATH}/w10-warmup-${i}`, { method: 'POST', body: String(i) });
    await response.arrayBuffer();
  }
}

/** The process's resident set from /proc (Linux); undefined elsewhere. */
function rssOfPid(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function untilNoneLive(client: DurableClient, prefix: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await client.listInstances({ runtimeStatus: ['Pending', 'Running'], instanceIdPrefix: prefix, pageSize: 1 });
    if (live.instances.length === 0) return;
    if (Date.now() > deadline) throw new Error(`W10: instances still live after ${timeoutMs} ms (e.g. ${live.instances[0]?.instanceId})`);
    await sleep(50);
  }
}

/**
 * Every accepted start completed with its own output. A request that failed
 * on the network may still have started its instance; one answered with an
 * error status must not have.
 */
async function checkOutputs(client: DurableClient, prefix: string, statuses: readonly number[], checks: Checks): Promise<void> {
  let seen = 0;
  let token: string | undefined;
  do {
    const page = await client.listInstances({ instanceIdPrefix: prefix, pageSize: 1_000, ...(token ? { continuationToken: token } : {}) });
    for (const instance of page.instances) {
      const n = Number(instance.instanceId.slice(prefix.length));
      const ok = instance.runtimeStatus === 'Completed' && JSON.stringify(instance.output) === JSON.stringify(expectedHello(n));
      if (!ok)
        checks.fail(
          'every started instance completed with its output',
          `${instance.instanceId}: ${instance.runtimeStatus} ${JSON.stringify(instance.output)}`,
        );
      if (statuses[n] !== 202 && statuses[n] !== 0)
        checks.fail('a refused start started nothing', `${instance.instanceId}: HTTP ${statuses[n]}`);
      if (statuses[n] === 202) seen++;
    }
    token = page.continuationToken;
  } while (token);
  checks.equal(seen, statuses.filter((s) => s === 202).length, `${prefix}: an instance for every 202`);
}
