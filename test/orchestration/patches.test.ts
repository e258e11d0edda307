/**
 * ctx.patched / ctx.deprecatePatch on replay: histories written by old code
 * keep their old steps, live turns take the new ones, and a marker the code
 * no longer asks about is a divergence that names both sides.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrchestrationContext } from '../../src/orchestration/context.ts';
import type { OrchestratorFunction } from '../../src/orchestration/executor.ts';
import { replayHistory } from '../../src/orchestration/replay.ts';
import { completed, ReplayHarness } from './replay-harness.ts';

function* oldCode(ctx: OrchestrationContext<unknown>) {
  const a: string = yield ctx.callActivity('A');
  const b: string = yield ctx.callActivity('B');
  return [a, b];
}

function* newCode(ctx: OrchestrationContext<unknown>) {
  const a: string = yield ctx.callActivity('A');
  const b: string = ctx.patched('use-c') ? yield ctx.callActivity('C') : yield ctx.callActivity('B');
  return [a, b];
}

function* deprecatedCode(ctx: OrchestrationContext<unknown>) {
  const a: string = yield ctx.callActivity('A');
  ctx.deprecatePatch('use-c');
  const b: string = yield ctx.callActivity('C');
  return [a, b];
}

function* patchRemoved(ctx: OrchestrationContext<unknown>) {
  const a: string = yield ctx.callActivity('A');
  const b: string = yield ctx.callActivity('C');
  return [a, b];
}

/** The same instance, now run by other code (a deploy). */
function redeploy(h: ReplayHarness, code: OrchestratorFunction, keepSession: boolean): ReplayHarness {
  const next = new ReplayHarness(code, { keepSession });
  next.history = [...h.history];
  next.status = h.status;
  next.now = h.now;
  return next;
}

for (const keepSession of [false, true]) {
  describe(`ctx.patched (${keepSession ? 'cached session' : 'full replay each turn'})`, () => {
    it('takes the new branch on new code and records a marker in that turn', () => {
      const h = new ReplayHarness(newCode, { keepSession });
      h.start();
      let turn = h.turn(completed(0, 'a'));
      assert.deepEqual(ReplayHarness.activities(turn), [{ taskId: 1, name: 'C', input: undefined }]);
      assert.deepEqual(
        turn.newEvents.map((e) => e.type),
        ['OrchestratorStarted', 'TaskCompleted', 'PatchMarker', 'TaskScheduled'],
      );
      turn = h.turn(completed(1, 'c'));
      assert.equal(turn.runtimeStatus, 'Completed');
      assert.deepEqual(turn.output, ['a', 'c']);
      assert.equal(h.history.filter((e) => e.type === 'PatchMarker').length, 1, 'one marker per change and execution');
    });

    it('keeps the old branch for an instance that passed the point on old code', () => {
      let h = new ReplayHarness(oldCode, { keepSession });
      h.start();
      h.turn(completed(0, 'a')); // old code scheduled B here
      h = redeploy(h, newCode, keepSession);
      const turn = h.turn(completed(1, 'b'));
      assert.equal(turn.runtimeStatus, 'Completed', JSON.stringify(turn.failure));
      assert.deepEqual(turn.output, ['a', 'b']);
      assert.ok(!h.history.some((e) => e.type === 'PatchMarker'));
    });

    it('takes the new branch for an old instance that reaches the point after the deploy', () => {
      let h = new ReplayHarness(oldCode, { keepSession });
      h.start(); // A scheduled by old code; the patched point is not reached yet
      h = redeploy(h, newCode, keepSession);
      const turn = h.turn(completed(0, 'a'));
      assert.deepEqual(ReplayHarness.activities(turn), [{ taskId: 1, name: 'C', input: undefined }]);
      assert.equal(h.turn(completed(1, 'c')).runtimeStatus, 'Completed');
    });

    it('answers per turn in a loop: iterations run on old code replay false, later ones true', () => {
      function* oldLoop(ctx: OrchestrationContext<unknown>) {
        const seen: string[] = [];
        for (let i = 0; i < 4; i++) seen.push(yield ctx.callActivity('Old', i));
        return seen;
      }
      function* newLoop(ctx: OrchestrationContext<unknown>) {
        const seen: string[] = [];
        for (let i = 0; i < 4; i++) seen.push(ctx.patched('loop') ? yield ctx.callActivity('New', i) : yield ctx.callActivity('Old', i));
        return seen;
      }
      let h = new ReplayHarness(oldLoop, { keepSession });
      h.start();
      h.turn(completed(0, 'o0'));
      h = redeploy(h, newLoop, keepSession);
      let turn = h.turn(completed(1, 'o1'));
      assert.deepEqual(ReplayHarness.activities(turn), [{ taskId: 2, name: 'New', input: 2 }]);
      h.turn(completed(2, 'n2'));
      turn = h.turn(completed(3, 'n3'));
      assert.equal(turn.runtimeStatus, 'Completed', JSON.stringify(turn.failure));
      assert.deepEqual(turn.output, ['o0', 'o1', 'n2', 'n3']);
    });

    it('deprecatePatch replays histories that recorded the marker, and histories that never did', () => {
      let h = new ReplayHarness(newCode, { keepSession });
      h.start();
      h.turn(completed(0, 'a')); // marker + C
      h = redeploy(h, deprecatedCode, keepSession);
      let turn = h.turn(completed(1, 'c'));
      assert.equal(turn.runtimeStatus, 'Completed', JSON.stringify(turn.failure));

      const fresh = new ReplayHarness(deprecatedCode, { keepSession });
      fresh.start();
      turn = fresh.turn(completed(0, 'a'));
      assert.deepEqual(
        turn.newEvents.find((e) => e.type === 'PatchMarker'),
        { type: 'PatchMarker', timestamp: turn.newEvents[0]!.timestamp, changeId: 'use-c', deprecated: true },
      );
      // Once only deprecated markers remain, the call itself may go.
      const removed = redeploy(fresh, patchRemoved, keepSession);
      assert.equal(removed.turn(completed(1, 'c')).runtimeStatus, 'Completed');
    });
  });
}

describe('patch markers on replay', () => {
  it('a marker the code no longer asks about is a divergence naming both sides', () => {
    const h = new ReplayHarness(newCode);
    h.start();
    h.turn(completed(0, 'a'));
    assert.throws(
      () => replayHistory({ ...h.target, orchestrator: patchRemoved }, h.history),
      (error: Error) =>
        error.name === 'NonDeterministicOrchestrationError' &&
        error.message.includes("history recorded PatchMarker 'use-c'") &&
        error.message.includes("the replayed code did not call ctx.patched('use-c')"),
    );
  });

  it('code that drops the patched() guard while old histories are live diverges on the task it schedules', () => {
    let h = new ReplayHarness(oldCode);
    h.start();
    h.turn(completed(0, 'a'));
    h = redeploy(h, patchRemoved, false);
    const turn = h.turn(completed(1, 'b'));
    assert.equal(turn.runtimeStatus, 'Failed');
    assert.match(turn.failure!.message, /history recorded TaskScheduled #1 'B', but the replayed code scheduled activity 'C'/);
  });

  it('version comes from ExecutionStarted and follows continueAsNew unless the code names another', () => {
    const seen: string[] = [];
    // eslint-disable-next-line require-yield -- each execution ends in its first turn
    function* eternal(ctx: OrchestrationContext<number>) {
      seen.push(ctx.version);
      if (ctx.getInput() < 1) ctx.continueAsNew(ctx.getInput() + 1, { version: '2.0' });
      return ctx.version;
    }
    const h = new ReplayHarness(eternal);
    const turn = h.turn({
      type: 'ExecutionStarted',
      timestamp: new Date(h.now).toISOString(),
      name: 'Test',
      executionId: 'e1',
      input: 0,
      version: '1.0',
    });
    assert.deepEqual(turn.continueAsNew?.version, '2.0');
    assert.deepEqual(seen, ['1.0']);
  });
});
