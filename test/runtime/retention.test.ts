/**
 * @module test/runtime/retention.test
 * The host's retention: finished instances are purged once they are older
 * than their status's retention, counted from when they finished, on a
 * real store with a manual clock; live instances and statuses without a
 * retention are kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, createManualClock, ValidationError, type Host } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

const DAY = 86_400_000;

function buildApp() {
  const app = createApp();
  // Orchestrators that end in their first turn: the test is about what happens after.
  // eslint-disable-next-line require-yield
  app.orchestration('Done', function* () {
    return 'done';
  });
  // eslint-disable-next-line require-yield
  app.orchestration('Broken', function* () {
    throw new Error('broken');
  });
  app.orchestration('Waiting', function* (ctx) {
    return yield* ctx.waitForExternalEvent('never');
  });
  return app;
}

async function ids(host: Host): Promise<string[]> {
  const page = await host.client.listInstances({ pageSize: 100 });
  return page.instances.map((i) => i.instanceId).sort();
}

async function until(host: Host, expected: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (JSON.stringify(await ids(host)) !== JSON.stringify(expected)) {
    if (Date.now() > deadline) assert.deepEqual(await ids(host), expected);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('retention', () => {
  it('purges finished instances per status once they are older than its retention, counted from their finish', async () => {
    using dir = createTempDir('perdure-retention-');
    const clock = createManualClock();
    const host = await createHost({
      app: buildApp(),
      store: `sqlite:${dir.file('perdure.db')}`,
      clock,
      logger: silentLogger,
      retention: { completed: DAY, failed: 3 * DAY, intervalMs: 100 },
    });
    try {
      await host.client.startNew('Done', { instanceId: 'done-early' });
      await host.client.startNew('Broken', { instanceId: 'failed' });
      await host.client.startNew('Waiting', { instanceId: 'live' });
      await host.client.startNew('Waiting', { instanceId: 'terminated' });
      await host.client.waitForCompletion('done-early', { timeoutMs: 10_000 });
      await host.client.waitForCompletion('failed', { timeoutMs: 10_000 });
      await host.client.terminate('terminated', 'no retention for this status');
      await host.client.waitForCompletion('terminated', { timeoutMs: 10_000 });

      clock.advance(DAY / 2);
      await host.client.startNew('Done', { instanceId: 'done-later' });
      await host.client.waitForCompletion('done-later', { timeoutMs: 10_000 });

      clock.advance(DAY / 2 + 1);
      await until(host, ['done-later', 'failed', 'live', 'terminated']);
      clock.advance(DAY / 2);
      await until(host, ['failed', 'live', 'terminated']);
      clock.advance(2 * DAY);
      await until(host, ['live', 'terminated']);
      assert.equal((await host.client.getStatus('live'))?.runtimeStatus, 'Running');
    } finally {
      await host.stop();
    }
  });

  it('refuses a retention that is not a whole number of milliseconds, naming it', async () => {
    for (const [retention, field] of [
      [{ completed: -1 }, 'retention.completed'],
      [{ failed: '7d' }, 'retention.failed'],
      [{ intervalMs: 10 }, 'retention.intervalMs'],
      [{ succeeded: 1000 }, 'retention.succeeded'],
    ] as const) {
      await assert.rejects(
        createHost({ app: buildApp(), store: 'sqlite::memory:', logger: silentLogger, retention: retention as never }),
        (e: unknown) => e instanceof ValidationError && e.field === field,
      );
    }
  });
});
