/**
 * @module test/testing/test-environment.test
 * `createTestEnvironment` as users run it: timers of days complete in wall
 * milliseconds because the clock skips while every instance waits, mocks
 * replace activities for one environment only, and without skipping time
 * moves only through `env.sleep`.
 *
 * Speed: 30 days must pass in under 1 s and 1,000 polls in under 2 s. A
 * test must not fail because the machine is slow or busy, so the bound is
 * put on what time skipping removes: the time this process spends waiting
 * with nothing to run (event-loop idle time), which a shortened real timer
 * would fill and CPU load does not. It must stay under a tenth of the bound;
 * CPU and wall time are reported as diagnostics (docs/testing.md has figures).
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createApp, RetryPolicy, type OrchestrationContext } from 'perdure';
import { createTestEnvironment } from 'perdure/testing';

const DAY = 86_400_000;

function buildApp() {
  const app = createApp();
  const charge = app.activity('Charge', (amount: number) => ({ charged: amount }));
  const poll = app.activity('Poll', (n: number) => n);
  app.orchestration('ThirtyDays', function* (ctx) {
    yield* ctx.createTimer(ctx.currentUtcDateTime.getTime() + 30 * DAY);
    return ctx.currentUtcDateTime.toISOString();
  });
  // Durable Functions' monitor pattern: poll, sleep on a durable timer, poll again.
  app.orchestration('Monitor', function* (ctx: OrchestrationContext<number>) {
    for (let n = 1; ; n++) {
      const seen = yield* ctx.callActivity(poll, n);
      if (seen >= ctx.getInput()) return { seen, at: ctx.currentUtcDateTime.toISOString() };
      yield* ctx.createTimer(ctx.currentUtcDateTime.getTime() + 60_000);
    }
  });
  app.orchestration('ChargeWithRetry', function* (ctx) {
    const policy = new RetryPolicy({ firstRetryIntervalMs: 3_600_000, maxNumberOfAttempts: 3 });
    return yield* ctx.callActivityWithRetry(charge, policy, 42);
  });
  return { app, charge };
}

interface Measured<T> {
  readonly value: T;
  /** Time the event loop sat waiting with nothing to run. */
  readonly idleMs: number;
  readonly cpuMs: number;
  readonly wallMs: number;
}

async function measure<T>(run: () => Promise<T>): Promise<Measured<T>> {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const value = await run();
  const used = process.cpuUsage(cpu);
  const { idle } = performance.eventLoopUtilization(elu);
  return { value, idleMs: idle, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall };
}

function report(t: TestContext, what: string, m: Measured<unknown>): string {
  const line = `${what}: ${m.wallMs.toFixed(0)} ms wall, ${m.cpuMs.toFixed(0)} ms CPU, ${m.idleMs.toFixed(0)} ms idle`;
  t.diagnostic(line);
  return line;
}

describe('createTestEnvironment', () => {
  it('completes a 30-day timer without waiting on real time (bound: 1 s)', async (t) => {
    const { app } = buildApp();
    await using env = await createTestEnvironment({ app });
    const startedAt = env.clock.now();
    const measured = await measure(async () => {
      const { instanceId } = await env.client.startNew('ThirtyDays');
      return env.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
    });
    const status = measured.value;
    assert.equal(status.runtimeStatus, 'Completed');
    assert.ok(Date.parse(status.output as string) - startedAt >= 30 * DAY, 'the orchestration saw 30 days pass');
    assert.ok(measured.idleMs < 100, report(t, '30-day timer', measured));
  });

  it('runs a monitor through 1,000 polls without waiting on real time (bound: 2 s)', async (t) => {
    const { app } = buildApp();
    await using env = await createTestEnvironment({ app });
    const startedAt = env.clock.now();
    const measured = await measure(async () => {
      const { instanceId } = await env.client.startNew('Monitor', { input: 1_000 });
      return env.client.waitForCompletion(instanceId, { timeoutMs: 120_000 });
    });
    const { seen, at } = measured.value.output as { seen: number; at: string };
    assert.equal(seen, 1_000);
    assert.equal(Date.parse(at) - startedAt, 999 * 60_000, '999 one-minute timers fired, each exactly when due');
    assert.ok(measured.idleMs < 200, report(t, '1,000 polls', measured));
  });

  it("drives the retry policy with a mocked activity's failures", async () => {
    const { app, charge } = buildApp();
    await using env = await createTestEnvironment({ app });
    const attempts: number[] = [];
    env.mockActivity(charge, (amount) => {
      attempts.push(env.clock.now());
      if (attempts.length < 3) throw new Error(`card declined (${amount})`);
      return { charged: amount * 10 };
    });
    const { instanceId } = await env.client.startNew('ChargeWithRetry');
    const status = await env.client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    assert.deepEqual(status.output, { charged: 420 }, 'the third attempt, the mock, succeeded');
    assert.equal(attempts.length, 3);
    assert.deepEqual(
      attempts.slice(1).map((t, i) => t - attempts[i]!),
      [3_600_000, 3_600_000],
      'each retry waited the policy interval, skipped',
    );
  });

  it('fails the instance when the mocked activity keeps failing, and a restored activity runs for real', async () => {
    const { app, charge } = buildApp();
    await using env = await createTestEnvironment({ app });
    env.mockActivity('Charge', () => {
      throw new Error('always declined');
    });
    const failed = await env.client.startNew('ChargeWithRetry');
    const status = await env.client.waitForCompletion(failed.instanceId, { timeoutMs: 10_000 });
    assert.equal(status.runtimeStatus, 'Failed');
    assert.match(status.failureDetails?.message ?? '', /always declined/);
    env.restoreActivity(charge);
    const ok = await env.client.startNew('ChargeWithRetry');
    assert.deepEqual((await env.client.waitForCompletion(ok.instanceId, { timeoutMs: 10_000 })).output, { charged: 42 });
    // The mock lived in that environment only: the app itself still has the real handler.
    assert.deepEqual(await app.getActivity('Charge')!.handler(1, undefined as never), { charged: 1 });
  });

  it('without time skipping, moves time only through env.sleep', async () => {
    const { app } = buildApp();
    await using env = await createTestEnvironment({ app, timeSkipping: false });
    const { instanceId } = await env.client.startNew('ThirtyDays');
    await assert.rejects(env.client.waitForCompletion(instanceId, { timeoutMs: 300 }), { name: 'WaitForCompletionTimeoutError' });
    await env.sleep(29 * DAY);
    assert.equal((await env.client.getStatus(instanceId))?.runtimeStatus, 'Running');
    await env.sleep(DAY);
    assert.equal((await env.client.waitForCompletion(instanceId, { timeoutMs: 10_000 })).runtimeStatus, 'Completed');
  });

  it('answers bad arguments with ValidationError', async () => {
    const { app } = buildApp();
    await assert.rejects(createTestEnvironment({} as never), { name: 'ValidationError', message: /app/ });
    await assert.rejects(createTestEnvironment({ app, timeSkipping: 'yes' as never }), {
      name: 'ValidationError',
      message: /timeSkipping/,
    });
    await using env = await createTestEnvironment({ app });
    assert.throws(() => env.mockActivity('Nope', () => 1), { name: 'ValidationError', message: /"Nope"/ });
    assert.throws(() => env.mockActivity('Charge', 5 as never), { name: 'ValidationError', message: /must be a function/ });
    assert.throws(() => void env.sleep(-1), { name: 'ValidationError', message: /sleep/ });
  });
});
