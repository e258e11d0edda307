/**
 * @module bench/workloads/w1-hello-sequence
 * W1: throughput of the simplest real orchestration. `count` HelloSequence
 * instances (three activities in sequence) are started at once with unique
 * IDs on one in-process host, after a warm-up batch; every output is checked.
 */
import { buildBenchApp } from '../lib/bench-app.ts';
import { freshStore } from '../lib/fresh-store.ts';
import { runWarmHelloBatch } from '../lib/hello-batch.ts';
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
    const figures = await runWarmHelloBatch(host.client, { prefix: 'w1', count, checks });
    const target = W1_TARGET_PER_S[context.store];
    return {
      figures: { ...figures },
      headline: `${formatCount(count)} instances in ${figures.wallS} s: ${figures.orchestrationsPerS}/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms`,
      targets: { [`>= ${formatCount(target)} orchestrations/s`]: figures.orchestrationsPerS >= target },
      checks: checks.passed,
    };
  },
};
