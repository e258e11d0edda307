/**
 * @module examples/versioned-monitor.test
 * The worked example of docs/versioning.md, as a test: 1,000 monitors are
 * started on version 1 and left asleep on their timers; the host is
 * replaced by one running version 2 (a new step, guarded by
 * ctx.patched); every monitor then finishes, none fails, each reported
 * only from the executions that ran on version 2, and each ends on version 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createHost, type DurableClient, type OrchestrationStatus } from 'perdure';
import { createManualClock, replayHistory, silentLogger } from 'perdure/testing';
import { monitorAppV1, monitorAppV2, MONITOR_INTERVAL_MS } from './versioned-monitor.ts';

const MONITORS = 1_000;
const check = (_site: string, n: number) => (n >= 3 ? 'up' : 'down');

async function everyInstance(client: DurableClient): Promise<OrchestrationStatus[]> {
  const all: OrchestrationStatus[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await client.listInstances({ pageSize: 1_000, ...(continuationToken ? { continuationToken } : {}) });
    all.push(...page.instances);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return all;
}

/** Waits (polling the store, no wall-clock assertion) until every monitor satisfies `done`; fails fast on a Failed one. */
async function until(client: DurableClient, what: string, done: (s: OrchestrationStatus) => boolean): Promise<void> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const all = await everyInstance(client);
    const failed = all.find((s) => s.runtimeStatus === 'Failed');
    assert.equal(failed, undefined, `a monitor failed: ${JSON.stringify(failed?.failureDetails)}`);
    if (all.length === MONITORS && all.every(done)) return;
    if (Date.now() > deadline) assert.fail(`not every monitor ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const asleepAfter = (checks: number) => (s: OrchestrationStatus) =>
  s.runtimeStatus === 'Running' && (s.customStatus as { checks?: number } | undefined)?.checks === checks;

describe('changing a live monitor (docs/versioning.md)', () => {
  it('moves 1,000 sleeping monitors from version 1 to version 2 with no failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perdure-versioned-'));
    const store = `sqlite:${join(dir, 'perdure.db')}`;
    const clock = createManualClock();
    try {
      // Version 1 runs: each monitor checks once and sleeps on its timer.
      const v1 = await createHost({ app: monitorAppV1(check), store, clock, logger: silentLogger, defaultVersion: '1' });
      for (let i = 0; i < MONITORS; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, j) =>
            v1.client.startNew('SiteMonitor', { instanceId: `site-${i + j}`, input: { site: `s${i + j}`, upOnCheck: 3 } }),
          ),
        );
      }
      await until(v1.client, 'slept after its first check', asleepAfter(1));
      const sleeping = await v1.client.getHistory('site-0');
      await v1.stop();

      // The new step, unguarded, would break every sleeping monitor; guarded by ctx.patched, none.
      const reports = new Map<string, number>();
      const report = (site: string) => void reports.set(site, (reports.get(site) ?? 0) + 1);
      const unguarded = replayHistory(monitorAppV2(check, report, { guarded: false }), { name: 'SiteMonitor', history: sleeping });
      assert.match(unguarded.divergence?.message ?? '', /ReportState/);
      assert.equal(replayHistory(monitorAppV2(check, report), { name: 'SiteMonitor', history: sleeping }).divergence, undefined);

      // Version 2 replaces version 1 (versionMatch 'currentOrOlder' by default: it runs version-1 monitors too).
      const v2 = await createHost({ app: monitorAppV2(check, report), store, clock, logger: silentLogger, defaultVersion: '2' });
      try {
        clock.advance(MONITOR_INTERVAL_MS);
        v2.wake();
        await until(v2.client, 'slept after its second check', asleepAfter(2));
        clock.advance(MONITOR_INTERVAL_MS);
        v2.wake();
        await until(v2.client, 'completed', (s) => s.runtimeStatus === 'Completed');

        const all = await everyInstance(v2.client);
        assert.equal(all.filter((s) => s.runtimeStatus === 'Completed').length, MONITORS);
        assert.ok(all.every((s) => (s.output as { checks: number }).checks === 3));
        // Checks 2 and 3 ran on version 2 and reported; check 1 ran on version 1, and its replay did not.
        assert.equal(reports.size, MONITORS);
        assert.ok([...reports.values()].every((n) => n === 2));
        assert.equal((await v2.client.getStatus('site-0'))?.version, '2');
        assert.equal((await v2.client.getStatus(`site-${MONITORS - 1}`))?.version, '2');
      } finally {
        await v2.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
