/**
 * @module bench/workloads/w2-fan-out
 * W2: one orchestration fans out to `width` parallel activities and sums
 * what comes back (Σ 2i = width·(width-1)). The runner is shared with W2b,
 * which fans out to sub-orchestrations instead. Each is run `repeats`
 * times on one store (fresh instance IDs) and reports the median wall time,
 * since a single sub-second run is mostly noise.
 */
import { buildBenchApp } from '../lib/bench-app.ts';
import { freshStore } from '../lib/fresh-store.ts';
import { formatCount, median, round, stopwatch } from '../lib/stats.ts';
import { bySize, Checks, type Workload, type WorkloadContext } from '../lib/workload.ts';

interface FanOutSpec {
  readonly id: 'W2' | 'W2b';
  readonly orchestration: 'FanOut' | 'SubFanOut';
  readonly unit: string;
  readonly targetS: number;
}

export function fanOutWorkload(spec: FanOutSpec): Workload {
  return {
    id: spec.id,
    title: spec.orchestration === 'FanOut' ? 'fan-out/fan-in over activities' : 'fan-out/fan-in over sub-orchestrations',
    stores: ['sqlite', 'postgres'],
    run: (context) => runFanOut(spec, context),
  };
}

async function runFanOut(spec: FanOutSpec, context: WorkloadContext) {
  const checks = new Checks(spec.id);
  const width = bySize(context.size, { tiny: 50, small: 200, full: 1_000 });
  const repeats = bySize(context.size, { tiny: 1, small: 2, full: 3 });
  await using store = await freshStore(context, spec.id);
  const { app, counters } = buildBenchApp();
  await using host = await store.host(app);
  const runs: number[] = [];
  for (let run = 0; run < repeats; run++) {
    const instanceId = `${spec.id.toLowerCase()}-${run}`;
    context.log(`${spec.id}: ${spec.orchestration} of ${width}, run ${run + 1}/${repeats}`);
    const elapsed = stopwatch();
    await host.client.startNew(spec.orchestration, { instanceId, input: width });
    const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 600_000 });
    runs.push(elapsed() / 1000);
    checks.equal(
      { status: status.runtimeStatus, output: status.output },
      { status: 'Completed', output: width * (width - 1) },
      `run ${run + 1}: sum of ${width} doubled values`,
    );
  }
  checks.equal(counters.activityCalls, width * repeats, 'each activity ran exactly once');
  const wallS = round(median(runs), 3);
  return {
    figures: { width, repeats, wallS, runsS: runs.map((s) => round(s, 3)) },
    headline: `${formatCount(width)} ${spec.unit} in ${wallS} s (median of ${repeats})`,
    targets: { [`< ${spec.targetS} s`]: wallS < spec.targetS },
    checks: checks.passed,
  };
}

export const w2 = fanOutWorkload({ id: 'W2', orchestration: 'FanOut', unit: 'activities', targetS: 0.1 });
