/**
 * @module bench/workloads/w7-scale-out
 * W7 (PostgreSQL only): W1 spread over several host processes sharing one
 * database. For 1, 2 and 3 hosts, on a fresh schema each time, the hosts run
 * as child processes (bench/lib/worker-host.ts) and a client-only host in
 * this process starts `count` HelloSequence instances at once. The run ends
 * when no instance is Pending or Running; then every output is checked, and
 * each host reports how many activities it ran, to show the work was shared.
 */
import { fileURLToPath } from 'node:url';
import type { DurableClient } from '../../src/index.ts';
import { buildBenchApp, expectedHello } from '../lib/bench-app.ts';
import { freshStore } from '../lib/fresh-store.ts';
import { spawnTs, type ChildRun } from '../lib/processes.ts';
import { formatCount, round, sleep, stopwatch } from '../lib/stats.ts';
import { bySize, Checks, type Workload, type WorkloadContext } from '../lib/workload.ts';
import { W1_TARGET_PER_S } from './w1-hello-sequence.ts';

const WORKER_HOST = fileURLToPath(new URL('../lib/worker-host.ts', import.meta.url));
const HOST_COUNTS = [1, 2, 3] as const;

interface RoundFigures {
  readonly hosts: number;
  readonly wallS: number;
  readonly orchestrationsPerS: number;
  readonly activitiesPerHost: number[];
}

export const w7: Workload = {
  id: 'W7',
  title: 'scale-out over host processes',
  stores: ['postgres'],
  async run(context) {
    const checks = new Checks('W7');
    const count = bySize(context.size, { tiny: 100, small: 500, full: 10_000 });
    const rounds: RoundFigures[] = [];
    for (const hosts of HOST_COUNTS) {
      context.log(`W7: ${formatCount(count)} HelloSequence instances on ${hosts} host process(es)`);
      rounds.push(await runRound(context, hosts, count, checks));
    }
    const perS = rounds.map((r) => r.orchestrationsPerS);
    return {
      figures: { instances: count, rounds: rounds.map((r) => ({ ...r })), orchestrationsPerSByHosts: perS },
      headline: `${formatCount(count)} instances: ${rounds.map((r) => `${r.hosts} host${r.hosts > 1 ? 's' : ''} ${r.orchestrationsPerS}/s`).join(', ')}`,
      targets: {
        [`1 host >= ${formatCount(W1_TARGET_PER_S.postgres)}/s`]: perS[0]! >= W1_TARGET_PER_S.postgres,
        '2 hosts faster than 1': perS[1]! > perS[0]!,
        '3 hosts faster than 2': perS[2]! > perS[1]!,
      },
      checks: checks.passed,
    };
  },
};

async function runRound(context: WorkloadContext, hostCount: number, count: number, checks: Checks): Promise<RoundFigures> {
  await using store = await freshStore(context, `w7h${hostCount}`);
  // Migrate once here, so the hosts start on a ready schema instead of racing to create it.
  await (await store.open()).close();
  const children: ChildRun[] = [];
  try {
    for (let i = 0; i < hostCount; i++) children.push(spawnTs(WORKER_HOST, [store.url]));
    await Promise.all(children.map((child) => child.waitForLine((line) => line === 'READY', 60_000)));
    const { app } = buildBenchApp();
    await using client = await store.host(app, { workers: false });
    const prefix = `w7h${hostCount}`;
    const elapsed = stopwatch();
    await Promise.all(
      Array.from({ length: count }, (_, i) => client.client.startNew('HelloSequence', { instanceId: `${prefix}-${i}`, input: i })),
    );
    await untilNoneLive(client.client, prefix, Math.max(120_000, count * 50));
    const wallMs = elapsed();
    await checkOutputs(client.client, prefix, count, checks);
    const activitiesPerHost = await stopHosts(children);
    checks.equal(
      activitiesPerHost.reduce((a, b) => a + b, 0),
      count * 3,
      `${hostCount} host(s): each activity ran once`,
    );
    return { hosts: hostCount, wallS: round(wallMs / 1000, 3), orchestrationsPerS: round(count / (wallMs / 1000), 1), activitiesPerHost };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

/** Polls (every 10 ms) until no instance with the prefix is Pending or Running. */
async function untilNoneLive(client: DurableClient, prefix: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await client.listInstances({ runtimeStatus: ['Pending', 'Running'], instanceIdPrefix: prefix, pageSize: 1 });
    if (live.instances.length === 0) return;
    if (Date.now() > deadline) throw new Error(`W7: instances still live after ${timeoutMs} ms (e.g. ${live.instances[0]?.instanceId})`);
    await sleep(10);
  }
}

async function checkOutputs(client: DurableClient, prefix: string, count: number, checks: Checks): Promise<void> {
  let seen = 0;
  let token: string | undefined;
  do {
    const page = await client.listInstances({
      instanceIdPrefix: `${prefix}-`,
      pageSize: 1_000,
      ...(token ? { continuationToken: token } : {}),
    });
    for (const instance of page.instances) {
      const n = Number(instance.instanceId.slice(prefix.length + 1));
      if (instance.runtimeStatus !== 'Completed' || JSON.stringify(instance.output) !== JSON.stringify(expectedHello(n))) {
        checks.fail(
          'every HelloSequence output is correct',
          `${instance.instanceId}: ${instance.runtimeStatus} ${JSON.stringify(instance.output)}`,
        );
      }
      seen++;
    }
    token = page.continuationToken;
  } while (token);
  checks.equal(seen, count, `${prefix}: instances in the store`);
}

/** Asks each host to stop and reads the activity count it prints on the way out. */
async function stopHosts(children: readonly ChildRun[]): Promise<number[]> {
  for (const child of children) child.send('stop\n');
  return Promise.all(
    children.map(async (child) => {
      const line = await child.waitForLine((l) => l.startsWith('{'), 30_000).catch(() => undefined);
      return line === undefined ? Number.NaN : (JSON.parse(line) as { activityCalls: number }).activityCalls;
    }),
  );
}
