/**
 * @module test/orchestration/parent-close.test
 * Replay units for parentClose: the turn that ends an execution carries a
 * termination for each live 'terminate' child, none for 'abandon' children
 * or children that already ended, and the option is recorded in history.
 * Durable Functions' `context.df` starts children as 'abandon'.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toPerdureOrchestrator } from '../../src/durable-functions/orchestrator.ts';
import type { OrchestrationContext } from '../../src/orchestration/context.ts';
import { ReplayHarness, T0 } from './replay-harness.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function* parent(ctx: OrchestrationContext) {
  ctx.callSubOrchestrator('Child', undefined, 'kid-t');
  ctx.callSubOrchestrator('Child', undefined, 'kid-a', { parentClose: 'abandon' });
  const done = ctx.callSubOrchestrator('Child', undefined, 'kid-done');
  yield* done;
  return 'finished';
}

describe('parentClose in replay', () => {
  it("terminates only the live 'terminate' children when the execution completes", () => {
    const h = new ReplayHarness(parent, { instanceId: 'p' });
    const first = h.start();
    const created = first.newEvents.filter((e) => e.type === 'SubOrchestrationInstanceCreated');
    assert.deepEqual(
      created.map((e) => ('parentClose' in e ? e.parentClose : undefined)),
      [undefined, 'abandon', undefined],
    );
    assert.equal(first.controlMessages, undefined, 'nothing is closed while the parent runs');
    const ended = h.turn({ type: 'SubOrchestrationInstanceCompleted', timestamp: iso(T0), taskId: 2, result: 1 });
    assert.equal(ended.runtimeStatus, 'Completed');
    assert.deepEqual(ended.controlMessages, [
      { instanceId: 'kid-t', event: { type: 'ExecutionTerminated', timestamp: iso(T0), reason: "parent instance 'p' completed" } },
    ]);
  });

  it('refuses a parentClose that is not terminate or abandon', () => {
    const h = new ReplayHarness(function* (ctx: OrchestrationContext) {
      yield* ctx.callSubOrchestrator('Child', undefined, 'x', { parentClose: 'detach' as 'abandon' });
    });
    const turn = h.start();
    assert.equal(turn.runtimeStatus, 'Failed');
    assert.match(turn.failure?.message ?? '', /parentClose/);
  });

  it("starts Durable Functions children as 'abandon', so they outlive their parent as in DF", () => {
    const df = toPerdureOrchestrator('DfParent', function* (context) {
      context.df.callSubOrchestrator('Child', undefined, 'df-kid');
      yield context.df.createTimer(new Date(T0 + 1000));
      return 'done';
    });
    const h = new ReplayHarness(df, { instanceId: 'dfp' });
    const first = h.start();
    const created = first.newEvents.find((e) => e.type === 'SubOrchestrationInstanceCreated');
    assert.equal(created && 'parentClose' in created ? created.parentClose : undefined, 'abandon');
    const ended = h.turn({ type: 'TimerFired', timestamp: iso(T0 + 1000), taskId: 1, fireAt: iso(T0 + 1000) });
    assert.equal(ended.runtimeStatus, 'Completed');
    assert.equal(ended.controlMessages, undefined);
  });
});
