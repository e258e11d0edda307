/**
 * @module test/runtime/activity-fencing.test
 * What an activity is told about its delivery (`ctx.attempt`, `ctx.leaseToken`)
 * on every path a delivery can take, on SQLite and on PostgreSQL: claimed by
 * the activity worker, run inline by turn chaining, run inline and committed
 * still running (pre-leased), and redelivered to another host after the
 * first holder's lease expired. The token an activity sees must be the one
 * its result is fenced by: a stale holder's result is dropped, the current
 * holder's reaches the orchestration.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, createManualClock, type FunctionApp, type Host, type HostOptions } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

interface Delivery {
  readonly host: string;
  readonly attempt: number;
  readonly leaseToken: number;
}

interface Fixture extends AsyncDisposable {
  readonly store: Store;
}

const stores: Record<string, () => Promise<Fixture>> = {
  sqlite: async () => {
    const dir = createTempDir('perdure-fencing-');
    const store = await openStore(`sqlite:${dir.file('perdure.db')}`);
    return { store, [Symbol.asyncDispose]: async () => (await store.close(), dir[Symbol.dispose]()) };
  },
  postgres: async () => {
    const schema = await createTestSchema('fencing');
    const store = await openStore(schema.url);
    return { store, [Symbol.asyncDispose]: async () => (await store.close(), await schema.drop()) };
  },
};

/** An app whose activity records each delivery; `hold` makes it wait for its abort signal (a stalled host). */
function recordingApp(
  host: string,
  deliveries: Delivery[],
  options: { hold?: boolean; delayMs?: number; aborted?: string[] } = {},
): FunctionApp {
  const app = createApp();
  const record = app.activity('Record', async (_input: undefined, ctx) => {
    deliveries.push({ host, attempt: ctx.attempt, leaseToken: ctx.leaseToken });
    if (options.hold) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      options.aborted?.push(host);
      return `stale result from ${host}`;
    }
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    return `from ${host}`;
  });
  app.orchestration('Fenced', function* (ctx) {
    return yield* ctx.callActivity(record);
  });
  return app;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function runOnce(store: Store, app: FunctionApp, extra: Partial<HostOptions>): Promise<unknown> {
  const host = await createHost({ app, store, logger: silentLogger, ...extra });
  try {
    const { instanceId } = await host.client.startNew('Fenced');
    const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
    assert.equal(status.runtimeStatus, 'Completed');
    return status.output;
  } finally {
    await host.stop();
  }
}

for (const [kind, open] of Object.entries(stores)) {
  describe(`activity fencing info on ${kind}`, () => {
    it('a first delivery has attempt 1 and lease token 1 on every path, and its result is accepted', async () => {
      await using fixture = await open();
      const paths: Record<string, Partial<HostOptions>> = {
        claimed: { orchestrations: { inlineActivityWindowMs: 0 } },
        inline: { orchestrations: { inlineActivityWindowMs: 5_000 } },
        // Outlives the chaining window: committed as a task pre-leased to this host, then completed under that lease.
        preLeased: { orchestrations: { inlineActivityWindowMs: 1 } },
      };
      for (const [path, options] of Object.entries(paths)) {
        const deliveries: Delivery[] = [];
        const app = recordingApp(path, deliveries, { delayMs: path === 'preLeased' ? 200 : 0 });
        assert.equal(await runOnce(fixture.store, app, options), `from ${path}`);
        assert.deepEqual(deliveries, [{ host: path, attempt: 1, leaseToken: 1 }], path);
      }
    });

    it('a delivery taken over after the lease expired sees a higher attempt and token, and only its result counts', async () => {
      await using fixture = await open();
      const t0 = Date.UTC(2031, 0, 1);
      const deliveries: Delivery[] = [];
      const aborted: string[] = [];
      const leases = { activities: { leaseMs: 1_000 }, orchestrations: { inlineActivityWindowMs: 0 } };
      // Host A claims the task and stalls; its clock never moves, so its heartbeats cannot outlast B's clock.
      const clockA = createManualClock(t0);
      const a: Host = await createHost({
        app: recordingApp('A', deliveries, { hold: true, aborted }),
        store: fixture.store,
        clock: clockA,
        logger: silentLogger,
        ...leases,
      });
      try {
        const { instanceId } = await a.client.startNew('Fenced');
        await until(() => deliveries.length === 1, 'the first delivery');
        // Host B lives 5 s later: A's lease (t0 + 1 s, renewed to at most that) has expired for it.
        const clockB = createManualClock(t0 + 5_000);
        const b = await createHost({
          app: recordingApp('B', deliveries),
          store: fixture.store,
          clock: clockB,
          logger: silentLogger,
          ...leases,
        });
        try {
          const status = await b.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
          assert.equal(status.output, 'from B');
        } finally {
          await b.stop();
        }
        const [first, second] = deliveries;
        assert.deepEqual(first, { host: 'A', attempt: 1, leaseToken: 1 });
        assert.equal(second?.host, 'B');
        assert.ok(second.attempt > first.attempt, `attempt ${second.attempt} after ${first.attempt}`);
        assert.ok(second.leaseToken > first.leaseToken, `lease token ${second.leaseToken} after ${first.leaseToken}`);
        assert.equal(deliveries.length, 2);
        // A's next heartbeat finds the task taken and aborts its activity; the stale result it returns is dropped.
        await until(() => aborted.length === 1, "host A's heartbeat to abort the stale delivery");
        await a.stop();
        const history = await fixture.store.getHistory(instanceId);
        const results = history.filter((e) => e.type === 'TaskCompleted').map((e) => (e as { result?: unknown }).result);
        assert.deepEqual(results, ['from B']);
        assert.equal((await fixture.store.getInstance(instanceId))?.output, 'from B');
        const undelivered = await fixture.store.claimOrchestrations({ owner: 'check', leaseMs: 1, limit: 10, now: t0 + 60_000 });
        assert.deepEqual(undelivered, [], 'the stale result never reached the instance');
      } finally {
        await a.stop();
      }
    });
  });
}
