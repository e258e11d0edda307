/**
 * @module test/worker/turn-guard.test
 * The turn guard: runs come back unchanged (results and exceptions), a run
 * that never yields is stopped with TurnBudgetExceeded while the other runs
 * of its batch complete, and a budget of 0 runs code directly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTurnGuard, TurnBudgetExceeded } from '../../src/worker/turn-guard.ts';

describe('turn guard', () => {
  it('returns results and rethrows exceptions unchanged, in this realm', async () => {
    const guard = createTurnGuard(1_000);
    const value = { same: true };
    assert.equal(await guard(() => value), value);
    const error = new RangeError('from the orchestrator');
    await assert.rejects(
      guard(() => {
        throw error;
      }),
      (thrown) => thrown === error,
    );
  });

  it('stops a run that never yields, and runs the rest of its batch', async () => {
    const guard = createTurnGuard(50);
    const before = guard(() => 'before');
    const spinning = guard(() => {
      for (;;) {
        // never yields
      }
    });
    const after = guard(() => 'after');
    await assert.rejects(spinning, (error) => error instanceof TurnBudgetExceeded && error.budgetMs === 50);
    assert.deepEqual(await Promise.all([before, after]), ['before', 'after']);
    assert.equal(await guard(() => 'next batch'), 'next batch', 'the guard works again after stopping a run');
  });

  it('with a budget of 0 runs code unguarded', async () => {
    const guard = createTurnGuard(0);
    assert.equal(await guard(() => 42), 42);
  });
});
