/**
 * @module examples/nightly-report.test
 * The nightly-report example as written, on a SQLite file with the manual
 * clock: the schedule fires at 03:00 Berlin time and the report completes;
 * a burst of data changes over HTTP starts Recompute once and queues the
 * rest, and the last run has the last version.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHost, createManualClock } from '../src/index.ts';
import { createHttpApp } from '../src/http/index.ts';
import { silentLogger } from '../src/runtime/logger.ts';
import { createTempDir } from '../test/helpers/temp-dir.ts';
import { app } from './nightly-report.ts';

describe('examples/nightly-report.ts', () => {
  it('reports at 03:00 Berlin time, and coalesces a burst of changes, ending with the last one', async () => {
    using dir = createTempDir('perdure-nightly-');
    const clock = createManualClock(Date.parse('2030-01-01T01:00:00Z')); // 02:00 in Berlin
    await using host = await createHost({ app, store: `sqlite:${dir.file('s.db')}`, clock, logger: silentLogger });
    clock.advance(60 * 60_000); // 03:00 in Berlin
    await host.tickSchedules();
    const report = await host.client.waitForCompletion('nightly-report@2030-01-01T02:00:00.000Z', { timeoutMs: 20_000 });
    assert.equal(report.output, 'report for 2030-01-01');
    assert.deepEqual(
      (await host.client.schedules.describe('nightly-report')).recentActions.map((a) => a.outcome),
      ['started'],
    );

    const http = createHttpApp(host, { logger: silentLogger });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async (_, version) => {
        const response = await http.request(`http://127.0.0.1/api/data-changed/${version}`, { method: 'POST' });
        return (await response.json()) as { outcome: string };
      }),
    );
    assert.equal(outcomes.filter((o) => o.outcome === 'created').length, 1);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await host.client.getStatus('recompute');
      if (status?.runtimeStatus === 'Completed' && status.output === 49) break;
      assert.ok(Date.now() < deadline, `recompute: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(await host.client.getPendingStart('recompute'), undefined);
  });
});
