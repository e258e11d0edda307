/**
 * @module bench/workloads/w5-eternal
 * W5: an eternal orchestration. One instance calls an activity and then
 * continues as new, `iterations` times, and the workload watches memory
 * (RSS after a full GC) and store size. A durable engine must stay flat
 * here: continueAsNew replaces the history, so neither the process nor the
 * store should grow with the number of generations.
 *
 * "Before" is taken after a warm-up (5% of the iterations, at least 500 when
 * there are 1,000 or more), when the caches,
 * JIT and store files have reached their working size; growth is measured
 * from there to the end.
 */
import { buildBenchApp } from '../lib/bench-app.ts';
import { freshStore } from '../lib/fresh-store.ts';
import { rssBytes } from '../lib/memory.ts';
import { formatCount, mib, round, sleep, stopwatch } from '../lib/stats.ts';
import { bySize, Checks, type Workload } from '../lib/workload.ts';

const MAX_RSS_GROWTH_MIB = 20;
const MAX_STORE_GROWTH_PCT = 10;

export const w5: Workload = {
  id: 'W5',
  title: 'eternal orchestration',
  stores: ['sqlite', 'postgres'],
  async run(context) {
    const checks = new Checks('W5');
    const iterations = bySize(context.size, { tiny: 200, small: 2_000, full: 100_000 });
    const warmup = Math.min(Math.floor(iterations / 2), Math.max(500, Math.floor(iterations * 0.05)));
    await using store = await freshStore(context, 'w5');
    const { app, counters } = buildBenchApp();
    await using host = await store.host(app);
    context.log(`W5: one orchestration continuing as new ${formatCount(iterations)} times`);

    const elapsed = stopwatch();
    await host.client.startNew('Eternal', { instanceId: 'w5', input: { n: 0, until: iterations } });
    let before: { rss: number; store: number; at: number; iterations: number } | undefined;
    let peakRss = 0;
    let lastReport = Date.now();
    // Generous (20 ms a generation), but finite: a stuck engine must fail the run, not hang it.
    const deadline = Date.now() + Math.max(120_000, iterations * 20);
    for (;;) {
      const status = await host.client.getStatus('w5');
      if (status && ['Completed', 'Failed', 'Terminated'].includes(status.runtimeStatus)) break;
      if (Date.now() > deadline)
        checks.fail('the eternal orchestration finished in time', `${counters.activityCalls} of ${iterations} generations`);
      if (before === undefined && counters.activityCalls >= warmup) {
        before = { rss: rssBytes(), store: await store.sizeBytes(), at: elapsed(), iterations: counters.activityCalls };
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (Date.now() - lastReport > 10_000) {
        context.log(`W5: ${formatCount(counters.activityCalls)} / ${formatCount(iterations)}`);
        lastReport = Date.now();
      }
      await sleep(50);
    }
    const totalMs = elapsed();
    const after = { rss: rssBytes(), store: await store.sizeBytes() };

    const final = await host.client.getStatus('w5');
    checks.equal(
      { status: final?.runtimeStatus, output: final?.output },
      { status: 'Completed', output: iterations },
      'the last generation completed with n = iterations',
    );
    checks.equal(counters.activityCalls, iterations, 'one activity call per generation');
    checks.that(before !== undefined, 'a baseline was taken after the warm-up');
    const history = await host.store.getHistory('w5');
    checks.that(history.length < 20, 'history holds only the last generation', `${history.length} events`);
    const base = before!;
    const rssGrowthMiB = mib(after.rss - base.rss);
    const storeGrowthPct = round(((after.store - base.store) / base.store) * 100, 1);
    const measuredPerS = round((iterations - base.iterations) / ((totalMs - base.at) / 1000), 1);
    const iterationsPerS = round(iterations / (totalMs / 1000), 1);
    return {
      figures: {
        iterations,
        wallS: round(totalMs / 1000, 2),
        iterationsPerS,
        iterationsPerSAfterWarmup: measuredPerS,
        warmupIterations: base.iterations,
        rssBeforeMiB: mib(base.rss),
        rssAfterMiB: mib(after.rss),
        rssPeakMiB: mib(peakRss),
        rssGrowthMiB,
        storeBeforeMiB: mib(base.store),
        storeAfterMiB: mib(after.store),
        storeGrowthPct,
      },
      headline:
        `${formatCount(iterations)} generations at ${iterationsPerS}/s; RSS ${mib(base.rss)} → ${mib(after.rss)} MiB, ` +
        `store ${mib(base.store)} → ${mib(after.store)} MiB (${storeGrowthPct >= 0 ? '+' : ''}${storeGrowthPct}%)`,
      targets: {
        [`RSS growth < ${MAX_RSS_GROWTH_MIB} MiB`]: rssGrowthMiB < MAX_RSS_GROWTH_MIB,
        [`store growth < ${MAX_STORE_GROWTH_PCT}%`]: storeGrowthPct < MAX_STORE_GROWTH_PCT,
      },
      checks: checks.passed,
    };
  },
};
