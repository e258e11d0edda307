import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrchestrationContext } from '../../src/orchestration/context.ts';
import { Task } from '../../src/orchestration/task.ts';
import { TaskFailedError } from '../../src/model/errors.ts';
import { completed, failed, raised, ReplayHarness, timerFired } from './replay-harness.ts';

function* helloSequence(ctx: OrchestrationContext<unknown>) {
  const a: string = yield ctx.callActivity('SayHello', 'Tokyo');
  const b: string = yield* ctx.callActivity<string, string>('SayHello', 'Seattle');
  const c: string = yield ctx.callActivity('SayHello', 'London');
  return [a, b, c];
}

for (const keepSession of [false, true]) {
  describe(`replay (${keepSession ? 'cached session' : 'full replay each turn'})`, () => {
    it('runs a sequence turn by turn and records every step', () => {
      const h = new ReplayHarness(helloSequence, { keepSession });
      let turn = h.start();
      assert.deepEqual(ReplayHarness.activities(turn), [{ taskId: 0, name: 'SayHello', input: 'Tokyo' }]);
      assert.equal(turn.runtimeStatus, 'Running');
      turn = h.turn(completed(0, 'Hello Tokyo!'));
      assert.deepEqual(ReplayHarness.activities(turn), [{ taskId: 1, name: 'SayHello', input: 'Seattle' }]);
      h.turn(completed(1, 'Hello Seattle!'));
      turn = h.turn(completed(2, 'Hello London!'));
      assert.equal(turn.runtimeStatus, 'Completed');
      assert.deepEqual(turn.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      assert.deepEqual(
        h.history.map((e) => e.type),
        [
          'OrchestratorStarted',
          'ExecutionStarted',
          'TaskScheduled',
          'OrchestratorStarted',
          'TaskCompleted',
          'TaskScheduled',
          'OrchestratorStarted',
          'TaskCompleted',
          'TaskScheduled',
          'OrchestratorStarted',
          'TaskCompleted',
          'ExecutionCompleted',
        ],
      );
    });

    it('fans out and in with Task.all', () => {
      const h = new ReplayHarness(
        function* (ctx) {
          const tasks = [1, 2, 3].map((i) => ctx.callActivity<number, number>('Double', i));
          const results: number[] = yield* Task.all(tasks);
          return results.reduce((s, x) => s + x, 0);
        },
        { keepSession },
      );
      const turn = h.start();
      assert.equal(ReplayHarness.activities(turn).length, 3);
      h.turn(completed(2, 6), completed(0, 2));
      const last = h.turn(completed(1, 4));
      assert.equal(last.output, 12);
    });

    it('surfaces an activity failure as a catchable TaskFailedError', () => {
      const h = new ReplayHarness(
        function* (ctx) {
          try {
            yield ctx.callActivity('Boom');
            return 'no error';
          } catch (error) {
            assert.ok(error instanceof TaskFailedError);
            return `${error.taskName}: ${error.failure.message}`;
          }
        },
        { keepSession },
      );
      h.start();
      assert.equal(h.turn(failed(0, 'kaput')).output, 'Boom: kaput');
    });

    it('fails the instance with failure details on an unhandled error', () => {
      const h = new ReplayHarness(
        function* (ctx) {
          yield ctx.callActivity('Boom');
        },
        { keepSession },
      );
      h.start();
      const turn = h.turn(failed(0, 'kaput'));
      assert.equal(turn.runtimeStatus, 'Failed');
      assert.equal(turn.failure?.name, 'TaskFailedError');
      assert.match(turn.failure?.message ?? '', /Boom.*kaput/);
    });

    it('buffers an external event that arrives before the code waits for it', () => {
      const h = new ReplayHarness(
        function* (ctx) {
          yield ctx.callActivity('First');
          const approval: { ok: boolean } = yield ctx.waitForExternalEvent('Approval');
          return approval.ok ? 'approved' : 'rejected';
        },
        { keepSession },
      );
      h.start();
      h.turn(raised('Approval', { ok: true }));
      assert.equal(h.turn(completed(0, null)).output, 'approved');
    });

    it('races an event against a durable timer with Task.any', () => {
      const h = new ReplayHarness(
        function* (ctx) {
          const timer = ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 60_000));
          const event = ctx.waitForExternalEvent('Approval');
          const winner = yield Task.any([timer, event]);
          if (winner === event) {
            timer.cancel();
            return 'event';
          }
          return 'timed out';
        },
        { keepSession },
      );
      const turn = h.start();
      const timer = turn.actions.find((a) => a.kind === 'CreateTimer');
      assert.ok(timer && timer.kind === 'CreateTimer');
      assert.equal(Date.parse(timer.fireAt) - h.now, 60_000);
      assert.equal(h.turn(timerFired(0, timer.fireAt)).output, 'timed out');
    });

    it('keeps currentUtcDateTime and newGuid stable across replays', () => {
      const seen: string[] = [];
      const h = new ReplayHarness(
        function* (ctx) {
          seen.push(`${ctx.currentUtcDateTime.toISOString()} ${ctx.newGuid()} ${ctx.isReplaying}`);
          yield ctx.callActivity('A');
          seen.push(`${ctx.currentUtcDateTime.toISOString()} ${ctx.newGuid()} ${ctx.isReplaying}`);
          return null;
        },
        { keepSession },
      );
      h.start();
      h.advance(5_000);
      h.turn(completed(0, null));
      const firstLine = seen[0]!.split(' ');
      const replayedFirst = seen.find((line, i) => i > 0 && line.startsWith(firstLine[0]!) && line.endsWith('true'));
      if (!keepSession) assert.equal(replayedFirst?.split(' ')[1], firstLine[1], 'newGuid differs on replay');
      const last = seen.at(-1)!.split(' ');
      assert.equal(last[0], new Date(h.now).toISOString());
      assert.equal(last[2], 'false');
    });

    it('suspends (holding messages) and resumes', () => {
      const h = new ReplayHarness(helloSequence, { keepSession });
      h.start();
      h.turn({ type: 'ExecutionSuspended', timestamp: 'x' });
      assert.equal(h.status, 'Suspended');
      const held = h.turn(completed(0, 'Hello Tokyo!'));
      assert.equal(held.consumedMessageIds.length, 0);
      assert.equal(h.held.length, 1);
      const resumed = h.turn({ type: 'ExecutionResumed', timestamp: 'x' });
      assert.equal(resumed.runtimeStatus, 'Running');
      assert.deepEqual(
        ReplayHarness.activities(resumed).map((a) => a.input),
        ['Seattle'],
      );
    });

    it('terminates and notifies nobody when there is no parent', () => {
      const h = new ReplayHarness(helloSequence, { keepSession });
      h.start();
      const turn = h.turn({ type: 'ExecutionTerminated', timestamp: 'x', reason: 'enough' });
      assert.equal(turn.runtimeStatus, 'Terminated');
      assert.equal(turn.output, 'enough');
      assert.equal(turn.parentNotification, undefined);
    });

    it('continues as new, carrying over unprocessed events when asked', () => {
      const h = new ReplayHarness(
        function* (ctx: OrchestrationContext<number>) {
          const n = ctx.getInput();
          yield ctx.callActivity('Tick', n);
          ctx.continueAsNew(n + 1, { preserveUnprocessedEvents: true });
          return null;
        },
        { keepSession },
      );
      h.start(1);
      const turn = h.turn(raised('Later', 'x'), completed(0, null));
      assert.equal(turn.runtimeStatus, 'ContinuedAsNew');
      assert.equal(turn.continueAsNew?.input, 2);
      assert.deepEqual(
        turn.continueAsNew?.carryover.map((e) => e.name),
        ['Later'],
      );
    });

    it('reports to the parent when a child completes', () => {
      const h = new ReplayHarness(
        function* (ctx) {
          return yield ctx.callActivity('A');
        },
        { keepSession },
      );
      h.start(undefined, { instanceId: 'parent', executionId: 'p-exec', taskId: 7 });
      const turn = h.turn(completed(0, 42));
      assert.deepEqual(turn.parentNotification?.parent, { instanceId: 'parent', executionId: 'p-exec', taskId: 7 });
      assert.equal(turn.parentNotification?.event.type, 'SubOrchestrationInstanceCompleted');
    });

    it('drops messages addressed to an older execution', () => {
      const h = new ReplayHarness(helloSequence, { keepSession });
      h.start();
      const turn = h.turn();
      assert.equal(turn.consumedMessageIds.length, 0);
    });
  });
}
