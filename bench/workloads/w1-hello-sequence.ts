/**
 * @module bench/workloads/w1-hello-sequence
 * W1: throughput of the simplest real orchestration. `count` HelloSequence
 * instances (three activities in sequence) are started at once with unique
 * IDs on one in-process host; every output is checked. A warm-up batch of the
 * same size comes first (a server that has run for a while is warm: the
 * figure should not be the JIT's), then `repeats` batches, and the median
 * batch (by throughput) is reported, as W2 reports its median run.
 */
import { buildBenchApp } from '../lib/bench-app.ts';
import { freshStore } from '../lib/fresh-store.ts';
import { runHelloBatch, type HelloBatchFigures } from '../lib/hello-batch.ts';
import { formatCount } from '../lib/stats.ts';
import { bySize, Checks, type Workload, type WorkloadContext } from '../lib/workload.ts';

export const W1_TARGET_PER_S = { sqlite: 4_000, postgres: 1_000 } as const;

export function w1Count(context: WorkloadContext): number {
  return bySize(context.size, { tiny: 50, small: 200, full: 1_000 });
}

export const w1: Workload = {
  id: 'W1',
  title: 'hello-sequence',
  stores: ['sqlite', 'postgres'],
  async run(context) {
    const checks = new Checks('W1');
    const count = w1Count(context);
    await using store = await freshStore(context, 'w1');
    const { app } = buildBenchApp();
    await using host = await store.host(app);
    context.log(`W1: ${count} HelloSequence instances at once`);
    const repeats = bySize(context.size, { tiny: 1, small: 2, full: 3 });
    const warmup = await runHelloBatch(host.client, { prefix: 'w1-warmup', count, checks });
    const runs: HelloBatchFigures[] = [];
    // CPU time (all threads) per orchestration: steadier than throughput on a machine that is busy with other work.
    const cpuBefore = process.cpuUsage();
    for (let run = 0; run < repeats; run++) runs.push(await runHelloBatch(host.client, { prefix: `w1-run${run}`, count, checks }));
    const cpu = process.cpuUsage(cpuBefore);
    const cpuUsPerOrchestration = Math.round((cpu.user + cpu.system) / (count * repeats));
    const figures = medianRun(runs);
    const target = W1_TARGET_PER_S[context.store];
    return {
      figures: {
        ...figures,
        repeats,
        runsPerS: runs.map((r) => r.orchestrationsPerS),
        coldWarmupPerS: warmup.orchestrationsPerS,
        cpuUsPerOrchestration,
      },
      headline: `${formatCount(count)} instances in ${figures.wallS} s: ${figures.orchestrationsPerS}/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms (median of ${repeats})`,
      targets: { [`>= ${formatCount(target)} orchestrations/s`]: figures.orchestrationsPerS >= target },
      checks: checks.passed,
    };
  },
};

/** The batch whose throughput is the median (the lower middle one for an even count). */
function medianRun(runs: readonly HelloBatchFigures[]): HelloBatchFigures {
  const sorted = [...runs].sort((a, b) => a.orchestrationsPerS - b.orchestrationsPerS);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
