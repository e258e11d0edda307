/**
 * @module bench/workloads/w3-singleton-storm
 * W3: a storm of concurrent starts on a few instance IDs, the race that
 * makes queue-based engines run a job twice. `starts` startNew calls
 * (onConflict 'useExisting') are fired at once over `ids` IDs; each
 * orchestration then waits on a durable timer, so every instance stays live
 * while the storm lasts. The checks count real executions from inside the
 * orchestrator body (not status rows): exactly one per ID.
 */
import { buildBenchApp } from '../lib/bench-app.ts';
import { freshStore } from '../lib/fresh-store.ts';
import { formatCount, round, stopwatch } from '../lib/stats.ts';
import { bySize, Checks, type Workload } from '../lib/workload.ts';

export const w3: Workload = {
  id: 'W3',
  title: 'singleton storm',
  stores: ['sqlite', 'postgres'],
  async run(context) {
    const checks = new Checks('W3');
    const starts = bySize(context.size, { tiny: 100, small: 400, full: 1_000 });
    const ids = 20;
    const timerMs = bySize(context.size, { tiny: 300, small: 2_000, full: 2_000 });
    await using store = await freshStore(context, 'w3');
    const { app, counters } = buildBenchApp();
    await using host = await store.host(app);
    context.log(`W3: ${starts} concurrent starts over ${ids} IDs, ${timerMs} ms timer`);

    const elapsed = stopwatch();
    const results = await Promise.allSettled(
      Array.from({ length: starts }, (_, i) =>
        host.client.startNew('Singleton', { instanceId: `w3-${i % ids}`, input: { timerMs }, onConflict: 'useExisting' }),
      ),
    );
    const startMs = elapsed();
    const failed = results.find((r) => r.status === 'rejected');
    checks.that(failed === undefined, 'every start call succeeded', failed?.status === 'rejected' ? String(failed.reason) : '');
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value.outcome : 'rejected'));
    checks.equal(outcomes.filter((o) => o === 'created').length, ids, `${ids} starts report 'created'`);

    const statuses = await Promise.all(
      Array.from({ length: ids }, (_, i) => host.client.waitForCompletion(`w3-${i}`, { timeoutMs: 120_000 })),
    );
    const completeMs = elapsed();
    checks.that(
      statuses.every((s, i) => s.runtimeStatus === 'Completed' && s.output === `w3-${i}`),
      `all ${ids} instances completed with their own output`,
    );
    const listed = await host.client.listInstances({ instanceIdPrefix: 'w3-', pageSize: 1_000 });
    checks.equal(listed.instances.length, ids, 'instances in the store');
    const executions = Array.from({ length: ids }, (_, i) => counters.executions.get(`w3-${i}`) ?? 0);
    checks.equal(executions, new Array(ids).fill(1), 'executions per ID (counted inside the orchestrator)');

    const startsPerS = round(starts / (startMs / 1000), 1);
    return {
      figures: {
        starts,
        ids,
        timerMs,
        startsWallS: round(startMs / 1000, 3),
        startsPerS,
        instancesCreated: listed.instances.length,
        maxExecutionsPerId: Math.max(...executions),
        allCompletedS: round(completeMs / 1000, 3),
      },
      headline: `${formatCount(starts)} starts over ${ids} IDs at ${formatCount(startsPerS)} starts/s; ${listed.instances.length} instances, ${Math.max(...executions)} execution per ID`,
      targets: { 'exactly 1 execution per ID': true },
      checks: checks.passed,
    };
  },
};
