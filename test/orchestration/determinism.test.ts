import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetryPolicy } from '../../src/orchestration/retry-policy.ts';
import { completed, failed, ReplayHarness, timerFired } from './replay-harness.ts';

describe('non-determinism detection', () => {
  it('fails the instance naming the recorded and the replayed action when an activity name changes', () => {
    let version = 1;
    const h = new ReplayHarness(function* (ctx) {
      yield ctx.callActivity(version === 1 ? 'SayHello' : 'SayGoodbye', 'x');
      yield ctx.callActivity('Second');
      return 'done';
    });
    h.start();
    version = 2;
    const turn = h.turn(completed(0, 'hi'));
    assert.equal(turn.runtimeStatus, 'Failed');
    assert.equal(turn.failure?.name, 'NonDeterministicOrchestrationError');
    assert.match(turn.failure.message, /TaskScheduled #0 'SayHello'/);
    assert.match(turn.failure.message, /activity 'SayGoodbye' as #0/);
  });

  it('detects a different kind of task at the same sequence number', () => {
    let useTimer = false;
    const h = new ReplayHarness(function* (ctx) {
      if (useTimer) yield ctx.createTimer(ctx.currentUtcDateTime);
      else yield ctx.callActivity('A');
      return null;
    });
    h.start();
    useTimer = true;
    const turn = h.turn(completed(0, null));
    assert.equal(turn.failure?.name, 'NonDeterministicOrchestrationError');
    assert.match(turn.failure.message, /TaskScheduled #0 'A'.*timer firing at/);
  });

  it('detects a recorded action that the code no longer schedules', () => {
    let skip = false;
    const h = new ReplayHarness(function* (ctx) {
      if (!skip) yield ctx.callActivity('A');
      return null;
    });
    h.start();
    skip = true;
    const turn = h.turn(completed(0, null));
    assert.match(turn.failure!.message, /TaskScheduled #0 'A'.*did not schedule anything/);
  });

  it('rejects yielding something that is not a task, naming what was yielded', () => {
    const h = new ReplayHarness(function* () {
      yield Promise.resolve(1);
      return null;
    });
    const turn = h.start();
    assert.equal(turn.runtimeStatus, 'Failed');
    assert.match(turn.failure!.message, /yielded object, which is not a task/);
  });

  it('rejects an output that is not JSON-serializable', () => {
    // An orchestrator must be a generator function even when it returns before waiting for anything.
    // eslint-disable-next-line require-yield -- see above
    const h = new ReplayHarness(function* () {
      return { big: 10n };
    });
    const turn = h.start();
    assert.equal(turn.runtimeStatus, 'Failed');
    assert.match(turn.failure!.message, /BigInt/);
  });
});

describe('retries', () => {
  const policy = new RetryPolicy({ firstRetryIntervalMs: 1_000, maxNumberOfAttempts: 3, backoffCoefficient: 2 });

  it('waits on durable timers with backoff, then succeeds', () => {
    const h = new ReplayHarness(function* (ctx) {
      return yield ctx.callActivityWithRetry('Flaky', policy, 'in');
    });
    h.start();
    let turn = h.turn(failed(0, 'first'));
    const timer1 = turn.actions.find((a) => a.kind === 'CreateTimer');
    assert.ok(timer1?.kind === 'CreateTimer');
    assert.equal(Date.parse(timer1.fireAt) - h.now, 1_000);
    h.advance(1_000);
    turn = h.turn(timerFired(timer1.taskId, timer1.fireAt));
    assert.deepEqual(
      ReplayHarness.activities(turn).map((a) => a.name),
      ['Flaky'],
    );
    turn = h.turn(failed(2, 'second'));
    const timer2 = turn.actions.find((a) => a.kind === 'CreateTimer');
    assert.ok(timer2?.kind === 'CreateTimer');
    assert.equal(Date.parse(timer2.fireAt) - h.now, 2_000);
    h.advance(2_000);
    h.turn(timerFired(timer2.taskId, timer2.fireAt));
    assert.equal(h.turn(completed(4, 'ok')).output, 'ok');
  });

  it('gives up after maxNumberOfAttempts with the last failure', () => {
    const h = new ReplayHarness(function* (ctx) {
      return yield ctx.callActivityWithRetry('Flaky', new RetryPolicy({ firstRetryIntervalMs: 10, maxNumberOfAttempts: 2 }));
    });
    h.start();
    const t = h.turn(failed(0, 'one'));
    const timer = t.actions.find((a) => a.kind === 'CreateTimer')!;
    h.turn(timerFired(timer.taskId, (timer as { fireAt: string }).fireAt));
    const turn = h.turn(failed(2, 'two'));
    assert.equal(turn.runtimeStatus, 'Failed');
    assert.match(turn.failure!.message, /two/);
  });

  it('rejects a bad policy with a named field', () => {
    assert.throws(() => new RetryPolicy({ firstRetryIntervalMs: -1, maxNumberOfAttempts: 3 }), /retryPolicy.firstRetryIntervalMs/);
    assert.throws(() => new RetryPolicy({ firstRetryIntervalMs: 1, maxNumberOfAttempts: 0 }), /retryPolicy.maxNumberOfAttempts/);
  });
});

describe('rewind', () => {
  it('re-dispatches the failed activity and continues from there', () => {
    const h = new ReplayHarness(function* (ctx) {
      const a = yield ctx.callActivity('A');
      const b = yield ctx.callActivity('B');
      return [a, b];
    });
    h.start();
    h.turn(completed(0, 'a'));
    assert.equal(h.turn(failed(1, 'b broke')).runtimeStatus, 'Failed');
    const turn = h.turn({ type: 'ExecutionRewound', timestamp: 'x' });
    assert.equal(turn.runtimeStatus, 'Running');
    assert.deepEqual(ReplayHarness.activities(turn), [{ taskId: 1, name: 'B', input: undefined }]);
    const done = h.turn(completed(1, 'b'));
    assert.equal(done.runtimeStatus, 'Completed');
    assert.deepEqual(done.output, ['a', 'b']);
  });
});
