/**
 * @module test/runtime/activity-timeouts.test
 * Activity timeouts, heartbeats and cancellation (decision 0028), on SQLite
 * and on PostgreSQL, with manual clocks: a start-to-close timeout fails the
 * attempt with ActivityTimeoutError, which the retry policy retries;
 * heartbeats keep a long activity alive past its heartbeat timeout; a missed
 * heartbeat aborts it, and the retry starts from its last heartbeat details;
 * terminating the instance aborts the running activity and discards its
 * result; and a timeout holds even when the host running the task is gone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, createManualClock, type FunctionApp, type Host, type HostOptions } from '../../src/index.ts';
import type { FailureDetails } from '../../src/model/failure.ts';
import type { TaskFailedError } from '../../src/model/errors.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

interface Fixture extends AsyncDisposable {
  readonly store: Store;
}

const stores: Record<string, () => Promise<Fixture>> = {
  sqlite: async () => {
    const dir = createTempDir('perdure-activity-timeouts-');
    const store = await openStore(`sqlite:${dir.file('perdure.db')}`);
    return { store, [Symbol.asyncDispose]: async () => (await store.close(), dir[Symbol.dispose]()) };
  },
  postgres: async () => {
    const schema = await createTestSchema('activity_timeouts');
    const store = await openStore(schema.url);
    return { store, [Symbol.asyncDispose]: async () => (await store.close(), await schema.drop()) };
  },
};

const T0 = Date.UTC(2031, 0, 1);
const RETRY = { firstRetryIntervalMs: 1_000, maxNumberOfAttempts: 2 };
/** Leases longer than any clock move here, so a host never takes its own running task back. */
const TUNING: Partial<HostOptions> = { activities: { leaseMs: 60_000 }, orchestrations: { inlineActivityWindowMs: 0 } };
/** Short renewals (every 100 ms of wall time), so a terminate is noticed quickly; the clock does not move. */
const FAST_RENEWALS: Partial<HostOptions> = { activities: { leaseMs: 300 } };

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves when the signal aborts, with the reason's name. */
function aborted(signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve((signal.reason as Error).name), { once: true }));
}

/** The failure an orchestrator caught, as its output. */
function caught(error: unknown): FailureDetails {
  return (error as TaskFailedError).failure;
}

async function withHost<T>(
  store: Store,
  app: FunctionApp,
  body: (host: Host, clock: ReturnType<typeof createManualClock>) => Promise<T>,
  options: Partial<HostOptions> = {},
) {
  const clock = createManualClock(T0);
  const host = await createHost({ app, store, clock, logger: silentLogger, ...TUNING, ...options });
  try {
    return await body(host, clock);
  } finally {
    await host.stop();
  }
}

for (const [kind, open] of Object.entries(stores)) {
  describe(`activity timeouts on ${kind}`, () => {
    it('a start-to-close timeout aborts the attempt with ActivityTimeoutError, and the retry policy retries it', async () => {
      await using fixture = await open();
      const reasons: string[] = [];
      let started = false;
      const app = createApp();
      const slow = app.activity('Slow', async (_: undefined, ctx) => {
        started = true;
        if (ctx.attempt === 1 && reasons.length === 0) {
          reasons.push(await aborted(ctx.signal));
          return 'discarded';
        }
        return 'second attempt';
      });
      app.orchestration('Timed', function* (ctx) {
        return yield* ctx.callActivity(slow, undefined, { timeoutMs: 5_000, retry: RETRY });
      });
      await withHost(fixture.store, app, async (host, clock) => {
        const { instanceId } = await host.client.startNew('Timed');
        await until(() => started, 'the first attempt');
        clock.advance(4_999);
        clock.advance(1);
        await until(() => reasons.length === 1, 'the abort');
        await until(async () => (await fixture.store.getHistory(instanceId)).some((e) => e.type === 'TimerCreated'), 'the retry timer');
        clock.advance(1_000);
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
        assert.equal(status.output, 'second attempt');
        assert.deepEqual(reasons, ['PerdureError']);
        const history = await fixture.store.getHistory(instanceId);
        const failed = history.find((e) => e.type === 'TaskFailed');
        assert.equal(failed?.type === 'TaskFailed' && failed.failure.name, 'ActivityTimeoutError');
        assert.equal(failed?.type === 'TaskFailed' && failed.failure.timeoutType, 'startToClose');
        assert.ok(!history.some((e) => e.type === 'TaskCompleted' && e.result === 'discarded'), 'the late result was discarded');
        const scheduled = history.find((e) => e.type === 'TaskScheduled');
        assert.equal(scheduled?.type === 'TaskScheduled' && scheduled.timeoutMs, 5_000);
      });
    });

    it('heartbeats keep a long activity alive past its heartbeat timeout', async () => {
      await using fixture = await open();
      const beats: number[] = [];
      let next: (() => void) | undefined;
      let signal: AbortSignal | undefined;
      const app = createApp();
      const long = app.activity('Long', async (_: undefined, ctx) => {
        signal = ctx.signal;
        for (let i = 0; i < 5; i++) {
          await new Promise<void>((resolve) => (next = resolve));
          ctx.heartbeat({ step: i });
          beats.push(i);
        }
        return 'finished';
      });
      app.orchestration('Beating', function* (ctx) {
        return yield* ctx.callActivity(long, undefined, { heartbeatTimeoutMs: 3_000 });
      });
      await withHost(fixture.store, app, async (host, clock) => {
        const { instanceId } = await host.client.startNew('Beating');
        for (let i = 0; i < 5; i++) {
          await until(() => next !== undefined, `step ${i}`);
          clock.advance(2_000); // 10 s in all, each step within the 3 s heartbeat timeout
          const step = next!;
          next = undefined;
          step();
          await until(() => beats.length === i + 1, `heartbeat ${i}`);
        }
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
        assert.equal(status.runtimeStatus, 'Completed');
        assert.equal(status.output, 'finished');
        assert.equal(signal?.aborted, false);
      });
    });

    it('a missed heartbeat aborts the attempt, and the retry starts from its last heartbeat details', async () => {
      await using fixture = await open();
      const reasons: unknown[] = [];
      const seen: unknown[] = [];
      const app = createApp();
      const resumable = app.activity('Resumable', async (_: undefined, ctx) => {
        seen.push(ctx.lastHeartbeatDetails);
        if (seen.length > 1) return `resumed at ${JSON.stringify(ctx.lastHeartbeatDetails)}`;
        ctx.heartbeat({ row: 7 });
        await aborted(ctx.signal);
        reasons.push(ctx.signal.reason);
        return 'discarded';
      });
      app.orchestration('Resuming', function* (ctx) {
        let first: FailureDetails | undefined;
        try {
          yield* ctx.callActivity(resumable, undefined, { heartbeatTimeoutMs: 3_000 });
        } catch (error) {
          first = caught(error);
        }
        const second = yield* ctx.callActivity(resumable, undefined, { heartbeatTimeoutMs: 3_000, retry: RETRY });
        return { first, second };
      });
      await withHost(fixture.store, app, async (host, clock) => {
        const { instanceId } = await host.client.startNew('Resuming');
        await until(() => seen.length === 1, 'the first run');
        clock.advance(3_000);
        await until(() => seen.length === 2, 'the second call');
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
        const output = status.output as { first: FailureDetails; second: string };
        assert.equal(output.first.name, 'ActivityTimeoutError');
        assert.equal(output.first.timeoutType, 'heartbeat');
        assert.deepEqual(output.first.lastHeartbeatDetails, { row: 7 });
        assert.equal(output.second, 'resumed at undefined', 'a new call starts without details');
        assert.deepEqual(seen, [undefined, undefined]);
        assert.equal((reasons[0] as Error).message.includes('heartbeat'), true);
      });
    });

    it('a retry attempt gets lastHeartbeatDetails from the attempt that timed out', async () => {
      await using fixture = await open();
      const seen: unknown[] = [];
      const app = createApp();
      const resumable = app.activity('Resumable', async (_: undefined, ctx) => {
        seen.push(ctx.lastHeartbeatDetails);
        if (seen.length > 1) return ctx.lastHeartbeatDetails;
        ctx.heartbeat({ row: 7 });
        await aborted(ctx.signal);
        return 'discarded';
      });
      app.orchestration('Retrying', function* (ctx) {
        return yield* ctx.callActivity(resumable, undefined, { heartbeatTimeoutMs: 3_000, retry: RETRY });
      });
      await withHost(fixture.store, app, async (host, clock) => {
        const { instanceId } = await host.client.startNew('Retrying');
        await until(() => seen.length === 1, 'the first attempt');
        clock.advance(3_000);
        await until(async () => (await fixture.store.getHistory(instanceId)).some((e) => e.type === 'TimerCreated'), 'the retry timer');
        clock.advance(1_000);
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
        assert.deepEqual(status.output, { row: 7 });
        assert.deepEqual(seen, [undefined, { row: 7 }]);
      });
    });

    it("terminating the instance aborts its running activity's signal and discards its result", async () => {
      await using fixture = await open();
      const reasons: string[] = [];
      let started = false;
      const app = createApp();
      const held = app.activity('Held', async (_: undefined, ctx) => {
        started = true;
        reasons.push(await aborted(ctx.signal));
        return 'discarded';
      });
      app.orchestration('Terminated', function* (ctx) {
        return yield* ctx.callActivity(held);
      });
      await withHost(
        fixture.store,
        app,
        async (host) => {
          const { instanceId } = await host.client.startNew('Terminated');
          await until(() => started, 'the activity');
          await host.client.terminate(instanceId, 'enough');
          await until(() => reasons.length === 1, 'the abort');
          assert.deepEqual(reasons, ['ActivityCancelledError']);
          const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
          assert.equal(status.runtimeStatus, 'Terminated');
          const claimable = await fixture.store.claimActivities({ owner: 'probe', leaseMs: 1_000, limit: 10, now: T0 + 86_400_000 });
          assert.deepEqual(claimable, [], 'the task was deleted, so it never runs again');
          const history = await fixture.store.getHistory(instanceId);
          assert.ok(!history.some((e) => e.type === 'TaskCompleted'), 'no result was recorded');
        },
        FAST_RENEWALS,
      );
    });

    it('a timeout holds when the host running the task is gone: the next claimer fails it without running it', async () => {
      await using fixture = await open();
      const runs: string[] = [];
      const appFor = (host: string) => {
        const app = createApp();
        const slow = app.activity('Slow', async (_: undefined, ctx) => {
          runs.push(host);
          await aborted(ctx.signal);
        });
        app.orchestration('Orphaned', function* (ctx) {
          try {
            return yield* ctx.callActivity(slow, undefined, { timeoutMs: 5_000 });
          } catch (error) {
            return caught(error);
          }
        });
        return app;
      };
      // Host A claims the task and stalls: its clock never moves, as if it had died holding the task.
      const a = await createHost({
        app: appFor('A'),
        store: fixture.store,
        clock: createManualClock(T0),
        logger: silentLogger,
        shutdownGraceMs: 0,
        ...TUNING,
      });
      try {
        const { instanceId } = await a.client.startNew('Orphaned');
        await until(() => runs.length === 1, 'the run on A');
        // Host B lives past the deadline (5 s) and its grace (a third of the 60 s lease): A's lease has ended.
        const b = await createHost({
          app: appFor('B'),
          store: fixture.store,
          clock: createManualClock(T0 + 25_000),
          logger: silentLogger,
          ...TUNING,
        });
        try {
          const status = await b.client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
          const failure = status.output as FailureDetails;
          assert.equal(failure.name, 'ActivityTimeoutError');
          assert.equal(failure.timeoutType, 'startToClose');
          assert.deepEqual(runs, ['A'], 'B failed the task without running it');
        } finally {
          await b.stop();
        }
      } finally {
        await a.stop();
      }
    });

    it('rejects a bad timeout with a ValidationError naming the option', async () => {
      await using fixture = await open();
      const app = createApp();
      const act = app.activity('Act', () => 1);
      app.orchestration('Bad', function* (ctx) {
        return yield* ctx.callActivity(act, undefined, { timeoutMs: -5 });
      });
      await withHost(fixture.store, app, async (host) => {
        const { instanceId } = await host.client.startNew('Bad');
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
        assert.equal(status.runtimeStatus, 'Failed');
        assert.equal(status.failureDetails?.name, 'ValidationError');
        assert.match(status.failureDetails?.message ?? '', /timeoutMs/);
      });
    });
  });
}
