/**
 * @module turn-guard
 * Runs orchestrator code (replays and turns) where it can be stopped: inside
 * a `node:vm` call with a timeout, so an orchestrator that never yields
 * (`for (;;) {}`) is stopped after the turn budget instead of freezing the
 * host (HTTP, health, signals and every other instance share its thread).
 * See decision 0012 for the candidates and their measured costs.
 *
 * What must hold:
 * - The guarded function runs synchronously, in this realm (no copying), and
 *   its result or exception comes back unchanged.
 * - A run stopped by the budget throws TurnBudgetExceeded; the code it
 *   interrupted may have left its executor half-advanced, so the caller must
 *   drop that executor and commit nothing of the turn.
 * - Guards do not nest: a run inside a run is simply called (the outer
 *   budget covers it).
 */
import vm from 'node:vm';

export class TurnBudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`orchestrator code did not yield within ${budgetMs} ms`);
    this.name = 'TurnBudgetExceeded';
  }
}

export type TurnGuard = <T>(run: () => T) => T;

/** A guard that stops a run after `budgetMs` of wall time. */
export function createTurnGuard(budgetMs: number): TurnGuard {
  const sandbox: { run: (() => unknown) | undefined } = { run: undefined };
  const context = vm.createContext(sandbox);
  // The script only calls back into this realm: the orchestrator's objects never cross realms.
  const script = new vm.Script('run()', { filename: 'perdure-turn-guard.js' });
  let depth = 0;
  return <T>(run: () => T): T => {
    if (depth > 0) return run();
    depth += 1;
    sandbox.run = run;
    try {
      return script.runInContext(context, { timeout: budgetMs }) as T;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new TurnBudgetExceeded(budgetMs);
      throw error;
    } finally {
      sandbox.run = undefined;
      depth -= 1;
    }
  };
}
