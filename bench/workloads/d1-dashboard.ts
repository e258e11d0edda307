/**
 * @module bench/workloads/d1-dashboard
 * D1: the dashboard's first render on a large store. The store is seeded
 * with W6's loader (completed instances with their histories), a host
 * serves it over HTTP, and three things are timed:
 * - `countInstancesByStatus()` on the store (the counters, no scan);
 * - the data of a first render over HTTP: counts and the first page of 50,
 *   fetched together as the page does;
 * - in Chromium (playwright-core, Debian's /usr/bin/chromium): from
 *   navigation to /dashboard until the counts and the first rows are shown,
 *   each load in a fresh browser context; and, for scale, the same browser
 *   loading a bare JSON answer from the same server.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import { createFetchHandler } from '../../src/http/create-http-app.ts';
import { serveHttp } from '../../src/http/serve.ts';
import { buildBenchApp } from '../lib/bench-app.ts';
import { freshStore, type BenchStore } from '../lib/fresh-store.ts';
import { seedPostgres } from '../lib/seed-postgres.ts';
import { seedSqlite } from '../lib/seed-sqlite.ts';
import { formatCount, percentile, round, stopwatch } from '../lib/stats.ts';
import { bySize, Checks, type Workload, type WorkloadContext } from '../lib/workload.ts';

const CHROMIUM = process.env['PERDURE_CHROMIUM'] ?? '/usr/bin/chromium';
const PAGE_SIZE = 50;

export const d1: Workload = {
  id: 'D1',
  title: 'dashboard first render on a large store',
  stores: ['sqlite', 'postgres'],
  async run(context) {
    const checks = new Checks('D1');
    const seeded = bySize(context.size, { tiny: 2_000, small: 20_000, full: 1_000_000 });
    const loads = bySize(context.size, { tiny: 3, small: 5, full: 10 });
    await using store = await freshStore(context, 'd1');
    const seedS = round((await seed(context, store, seeded)) / 1000, 1);
    await using host = await store.host(buildBenchApp().app);
    await using server = await serveHttp({ fetch: createFetchHandler(host), port: 0 });

    const counts = await timeEach(20, async () => {
      const total = Object.values(await host.client.countInstancesByStatus()).reduce((a, b) => a + b, 0);
      if (total !== seeded) checks.fail('the counts add up to the seeded instances', `${total} != ${seeded}`);
    });
    checks.passedAll('the counts add up to the seeded instances, every time');
    const api = await timeEach(20, () => firstRenderData(server.url, checks));
    checks.passedAll(`counts and a first page of ${PAGE_SIZE} come back together over HTTP`);
    const browser = existsSync(CHROMIUM) ? await browserFirstRender(server.url, seeded, loads, checks) : null;
    return {
      figures: {
        seededInstances: seeded,
        // The machine's 1-minute load average when measured: on a shared machine the times scale with it.
        loadAverage: round(loadavg()[0] ?? 0, 1),
        seedS,
        countsP50Ms: counts.p50Ms,
        countsP99Ms: counts.p99Ms,
        apiFirstRenderP50Ms: api.p50Ms,
        apiFirstRenderP99Ms: api.p99Ms,
        browserLoads: browser ? loads : 0,
        browserFirstRenderP50Ms: browser?.p50Ms ?? null,
        browserFirstRenderMaxMs: browser?.maxMs ?? null,
        browserBareJsonPageP50Ms: browser?.baselineP50Ms ?? null,
      },
      headline:
        `${formatCount(seeded)} instances: counts p50 ${counts.p50Ms} ms; counts + first page over HTTP p50 ${api.p50Ms} ms; ` +
        (browser
          ? `first render in Chromium p50 ${browser.p50Ms} ms (max ${browser.maxMs} ms; a bare JSON page ${browser.baselineP50Ms} ms)`
          : `no Chromium at ${CHROMIUM}`),
      targets: {
        'counts p50 < 10 ms': counts.p50Ms < 10,
        ...(browser ? { 'first render p50 < 300 ms': browser.p50Ms < 300 } : {}),
      },
      checks: checks.passed,
    };
  },
};

async function seed(context: WorkloadContext, store: BenchStore, count: number): Promise<number> {
  const migrated = await store.open();
  await migrated.close();
  context.log(`D1: seeding ${formatCount(count)} completed instances`);
  const elapsed = stopwatch();
  const before = Date.now() - 60_000;
  const progress = () => undefined;
  if (store.kind === 'sqlite') seedSqlite(store.sqlitePath!, count, before, progress);
  else await seedPostgres(store.admin!, store.schema!, count, before, progress);
  return elapsed();
}

async function timeEach(times: number, work: () => Promise<void>): Promise<{ p50Ms: number; p99Ms: number }> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const elapsed = stopwatch();
    await work();
    samples.push(elapsed());
  }
  return { p50Ms: round(percentile(samples, 50), 2), p99Ms: round(percentile(samples, 99), 2) };
}

async function firstRenderData(url: string, checks: Checks): Promise<void> {
  const base = `${url}/runtime/webhooks/durabletask`;
  const [counts, page] = await Promise.all([fetch(`${base}/perdure/counts`), fetch(`${base}/instances?top=${PAGE_SIZE}&showInput=false`)]);
  const rows = (await page.json()) as unknown[];
  await counts.json();
  if (rows.length !== PAGE_SIZE) checks.fail(`the first page holds ${PAGE_SIZE} instances`, String(rows.length));
}

async function browserFirstRender(url: string, seeded: number, loads: number, checks: Checks) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const samples: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const elapsed = stopwatch();
      await page.goto(`${url}/dashboard`);
      await page.locator('tr[data-instance]').first().waitFor();
      await page.locator('[data-count="total"]', { hasText: seeded.toLocaleString('en') }).waitFor();
      samples.push(elapsed());
      if ((await page.locator('tr[data-instance]').count()) !== PAGE_SIZE) checks.fail(`the page shows ${PAGE_SIZE} rows`);
      // The same browser loading a bare JSON answer from the same server: what any page costs on this machine now.
      const bare = stopwatch();
      await page.goto(`${url}/runtime/webhooks/durabletask/perdure/counts`);
      baseline.push(bare());
      await context.close();
    }
    checks.passedAll(`Chromium shows the counts (${formatCount(seeded)}) and ${PAGE_SIZE} rows on every load`);
    return {
      p50Ms: round(percentile(samples, 50), 1),
      maxMs: round(Math.max(...samples), 1),
      baselineP50Ms: round(percentile(baseline, 50), 1),
    };
  } finally {
    await browser.close();
  }
}
