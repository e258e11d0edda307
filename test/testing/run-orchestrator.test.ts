/**
 * @module test/testing/run-orchestrator.test
 * `runOrchestrator`: single decisions of an orchestrator, with no store and
 * no host: the actions for an input, the next actions once results are in
 * the history, the end, and a history the code does not match.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, RetryPolicy, type OrchestrationContext } from 'perdure';
import { runOrchestrator } from 'perdure/testing';

const T = '2030-01-01T00:00:00.000Z';

function buildApp() {
  const app = createApp();
  const reserve = app.activity('Reserve', (sku: string) => ({ sku, held: true }));
  const charge = app.activity('Charge', (amount: number) => amount);
  app.orchestration('Order', function* (ctx: OrchestrationContext<{ sku: string; amount: number }>) {
    const { sku, amount } = ctx.getInput();
    ctx.setCustomStatus('reserving');
    yield* ctx.callActivity(reserve, sku);
    ctx.setCustomStatus('charging');
    const charged = yield* ctx.callActivityWithRetry(
      charge,
      new RetryPolicy({ firstRetryIntervalMs: 60_000, maxNumberOfAttempts: 2 }),
      amount,
    );
    return { sku, charged };
  });
  return app;
}

describe('runOrchestrator', () => {
  it('returns the first decision for an input', () => {
    const step = runOrchestrator(buildApp(), 'Order', { input: { sku: 'A-1', amount: 30 } });
    assert.deepEqual(step.actions, [{ kind: 'ScheduleActivity', taskId: 0, name: 'Reserve', input: 'A-1' }]);
    assert.equal(step.status, 'Running');
    assert.equal(step.customStatus, 'reserving');
  });

  it('returns the next decision once a result is in the history, and the retry timer after a failure', () => {
    const app = buildApp();
    const input = { sku: 'A-1', amount: 30 };
    const reserved = { type: 'TaskCompleted', timestamp: T, taskId: 0, result: { sku: 'A-1', held: true } } as const;
    assert.deepEqual(runOrchestrator(app, 'Order', { input, history: [reserved] }).actions, [
      { kind: 'ScheduleActivity', taskId: 1, name: 'Charge', input: 30 },
    ]);
    const declined = { type: 'TaskFailed', timestamp: T, taskId: 1, failure: { name: 'Error', message: 'declined' } } as const;
    const afterFailure = runOrchestrator(app, 'Order', { input, history: [reserved, declined] });
    assert.deepEqual(afterFailure.actions, [{ kind: 'CreateTimer', taskId: 2, fireAt: '2030-01-01T00:01:00.000Z' }]);
  });

  it('returns the output once the history completes the work', () => {
    const step = runOrchestrator(buildApp(), 'Order', {
      input: { sku: 'A-1', amount: 30 },
      history: [
        { type: 'TaskCompleted', timestamp: T, taskId: 0, result: {} },
        { type: 'TaskCompleted', timestamp: T, taskId: 1, result: 30 },
      ],
    });
    assert.deepEqual(step, { actions: [], status: 'Completed', output: { sku: 'A-1', charged: 30 }, customStatus: 'charging' });
  });

  it('throws NonDeterministicOrchestrationError for a history the code does not match, ValidationError for an unknown name', () => {
    assert.throws(
      () =>
        runOrchestrator(buildApp(), 'Order', {
          input: { sku: 'A-1', amount: 30 },
          history: [{ type: 'TaskScheduled', timestamp: T, taskId: 0, name: 'Ship' }],
        }),
      { name: 'NonDeterministicOrchestrationError', message: /TaskScheduled #0 'Ship'.*activity 'Reserve'/ },
    );
    assert.throws(() => runOrchestrator(buildApp(), 'Nope'), { name: 'ValidationError', message: /'Nope'/ });
  });
});
