/**
 * @module test/runtime/retry-policy.test
 * What a retry policy refuses to retry (a NonRetryableError, a name in
 * `nonRetryableErrors`), and its jittered waits, on a real host and store:
 * each activity counts its own runs, so a retry that should not happen shows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, NonRetryableError, RetryPolicy, TaskFailedError, ValidationError } from '../../src/index.ts';
import type { RetryPolicyOptions } from '../../src/index.ts';
import type { FailureDetails } from '../../src/model/failure.ts';
import { deterministicFraction } from '../../src/orchestration/guid.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

class CardDeclined extends NonRetryableError {}

function buildApp(runs: Map<string, number>) {
  const app = createApp();
  const count = (key: string) => runs.set(key, (runs.get(key) ?? 0) + 1);
  const charge = app.activity('Charge', (id: string) => {
    count(id);
    throw new CardDeclined(`card of ${id} declined`);
  });
  const flaky = app.activity('Flaky', (id: string) => {
    count(id);
    throw new RangeError(`flaky ${id}`);
  });
  const chargeOnce = app.orchestration('ChargeOnce', function* (ctx) {
    return yield* ctx.callActivity(charge, ctx.instanceId.replace(/-child$/, ''));
  });
  app.orchestration('RetriesChild', function* (ctx) {
    try {
      yield* ctx.callSubOrchestratorWithRetry(
        chargeOnce,
        new RetryPolicy({ firstRetryIntervalMs: 10, maxNumberOfAttempts: 5 }),
        undefined,
        `${ctx.instanceId}-child`,
      );
      return 'succeeded';
    } catch (error) {
      return (error as TaskFailedError).failure;
    }
  });
  app.orchestration('Retries', function* (ctx) {
    const { activity, policy } = ctx.getInput<{ activity: 'Charge' | 'Flaky'; policy: RetryPolicyOptions }>();
    try {
      yield* ctx.callActivityWithRetry(activity === 'Charge' ? charge : flaky, new RetryPolicy(policy), ctx.instanceId);
      return 'succeeded';
    } catch (error) {
      return (error as TaskFailedError).failure;
    }
  });
  return app;
}

async function run(activity: 'Charge' | 'Flaky', policy: RetryPolicyOptions, ids: string[], name = 'Retries') {
  using dir = createTempDir('perdure-retry-');
  const runs = new Map<string, number>();
  const host = await createHost({ app: buildApp(runs), store: `sqlite:${dir.file('perdure.db')}`, logger: silentLogger });
  try {
    const results = [];
    for (const instanceId of ids) await host.client.startNew(name, { instanceId, input: { activity, policy } });
    for (const instanceId of ids) {
      const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
      const history = await host.client.getStatus(instanceId, { showHistory: true });
      results.push({
        instanceId,
        failure: status.output as FailureDetails,
        runs: runs.get(instanceId),
        history: history?.historyEvents ?? [],
      });
    }
    return results;
  } finally {
    await host.stop();
  }
}

describe('retry policies', () => {
  it('never retries a NonRetryableError, and marks its failure details isNonRetryable with the subclass name', async () => {
    const [result] = await run('Charge', { firstRetryIntervalMs: 10, maxNumberOfAttempts: 5 }, ['order-1']);
    assert.equal(result?.runs, 1, 'one attempt of five');
    assert.equal(result?.failure.name, 'CardDeclined');
    assert.equal(result?.failure.isNonRetryable, true);
    assert.match(result?.failure.message ?? '', /card of order-1 declined/);
  });

  it('does not retry a sub-orchestration that failed because a NonRetryableError escaped it', async () => {
    const [result] = await run('Charge', { firstRetryIntervalMs: 10, maxNumberOfAttempts: 5 }, ['order-2'], 'RetriesChild');
    assert.equal(result?.runs, 1, 'the child ran its activity once: it was not started again');
    assert.equal(result?.failure.isNonRetryable, true);
  });

  it('never retries a failure named in nonRetryableErrors, and retries the others', async () => {
    const [refused] = await run('Flaky', { firstRetryIntervalMs: 10, maxNumberOfAttempts: 4, nonRetryableErrors: ['RangeError'] }, ['a']);
    assert.equal(refused?.runs, 1);
    assert.equal(refused?.failure.name, 'RangeError');
    assert.equal(refused?.failure.isNonRetryable, undefined, 'the mark belongs to the code that threw, not to the policy');
    const [retried] = await run('Flaky', { firstRetryIntervalMs: 10, maxNumberOfAttempts: 4, nonRetryableErrors: ['TypeError'] }, ['b']);
    assert.equal(retried?.runs, 4);
  });

  it('draws each jittered wait within [wait × (1 − jitter), wait], differently per instance', async () => {
    const policy = { firstRetryIntervalMs: 200, maxNumberOfAttempts: 3, backoffCoefficient: 2, maxDelayMs: 300, jitter: 0.9 };
    const results = await run('Flaky', policy, ['j1', 'j2', 'j3']);
    const waits: number[] = [];
    for (const { history, runs } of results) {
      assert.equal(runs, 3);
      const timers = history.filter((e) => e.type === 'TimerCreated');
      assert.equal(timers.length, 2);
      timers.forEach((timer, i) => {
        const wait = Date.parse(timer.fireAt) - Date.parse(timer.timestamp);
        const ceiling = i === 0 ? 200 : 300;
        assert.ok(
          wait >= Math.floor(ceiling * 0.1) && wait <= ceiling,
          `wait ${i + 1} was ${wait} ms, outside [${ceiling * 0.1}, ${ceiling}]`,
        );
        waits.push(wait);
      });
    }
    assert.ok(new Set(waits).size > 1, `six jittered waits were all ${waits[0]} ms`);
  });

  it('draws the same jitter on every replay of the same point', () => {
    const a = deterministicFraction('i', '2026-01-01T00:00:00.000Z', 1);
    assert.equal(deterministicFraction('i', '2026-01-01T00:00:00.000Z', 1), a);
    assert.notEqual(deterministicFraction('i', '2026-01-01T00:00:00.000Z', 2), a);
    assert.ok(a >= 0 && a < 1);
  });

  it('refuses bad settings with a ValidationError naming the setting', () => {
    const base = { firstRetryIntervalMs: 10, maxNumberOfAttempts: 2 };
    const cases: [Record<string, unknown>, string][] = [
      [{ jitter: 1.5 }, 'retryPolicy.jitter'],
      [{ jitter: -0.1 }, 'retryPolicy.jitter'],
      [{ nonRetryableErrors: 'RangeError' }, 'retryPolicy.nonRetryableErrors'],
      [{ nonRetryableErrors: [''] }, 'retryPolicy.nonRetryableErrors'],
      [{ maxDelayMs: 0 }, 'retryPolicy.maxDelayMs'],
      [{ maxDelayMs: 100, maxRetryIntervalMs: 200 }, 'retryPolicy.maxDelayMs'],
    ];
    for (const [extra, field] of cases) {
      assert.throws(
        () => new RetryPolicy({ ...base, ...extra }),
        (e: unknown) => e instanceof ValidationError && e.field === field,
        JSON.stringify(extra),
      );
    }
    assert.equal(new RetryPolicy({ ...base, maxRetryIntervalMs: 100 }).maxDelayMs, 100, 'the Durable Functions name still works');
  });
});
