/**
 * @module turn-guard
 * Runs orchestrator code (replays and turns) where it can be stopped: inside
 * a `node:vm` call with a timeout, so an orchestrator that never yields
 * (`for (;;) {}`) is stopped after the turn budget instead of freezing the
 * host (HTTP, health, signals and every other instance share its thread).
 *
 * A vm call with a timeout starts and joins a watchdog thread, which costs
 * far more than a turn (decision 0016), so runs are batched: every run asked
 * for in the same tick (the turns of a claimed batch, chained turns whose
 * activities finished together) shares one vm call.
 *
 * What must hold:
 * - Each run executes synchronously, in this realm (nothing is copied), and
 *   its result or exception comes back unchanged.
 * - A run is stopped only after it alone ran most of the budget: a batch
 *   starts no further run once a tenth of the budget is spent, so the run
 *   that the timeout interrupts had at least nine tenths of it.
 * - A stopped run rejects with TurnBudgetExceeded. The code it interrupted
 *   may have left its executor half-advanced: the caller must drop that
 *   executor and commit nothing of the turn. Runs after it in the batch are
 *   run in the next vm call, unaffected.
 * - The event loop is never held for more than about one budget: a call that
 *   used up its slice, or whose run was stopped, leaves the rest of its batch
 *   for after pending I/O.
 */
import { performance } from 'node:perf_hooks';
import vm from 'node:vm';

export class TurnBudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`orchestrator code did not yield within ${budgetMs} ms`);
    this.name = 'TurnBudgetExceeded';
  }
}

/** Runs `run` under the budget; settles with its result, its exception, or TurnBudgetExceeded. */
export type TurnGuard = <T>(run: () => T) => Promise<T>;

interface Job {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** A guard with a budget of `budgetMs`; 0 runs orchestrator code unguarded (no budget, no watchdog cost). */
export function createTurnGuard(budgetMs: number): TurnGuard {
  if (budgetMs === 0) return <T>(run: () => T) => new Promise<T>((resolve) => resolve(run()));
  const sandbox: { batch: (() => void) | undefined } = { batch: undefined };
  const context = vm.createContext(sandbox);
  // The script only calls back into this realm: orchestrator objects never cross realms.
  const script = new vm.Script('batch()', { filename: 'perdure-turn-guard.js' });
  const sliceMs = budgetMs / 10;
  let queue: Job[] = [];

  function flush(): void {
    const jobs = queue;
    queue = [];
    runFrom(jobs, 0);
  }

  /** One guarded call from `first` on; what it leaves (a used-up slice, a stopped run) continues after pending I/O. */
  function runFrom(jobs: readonly Job[], first: number): void {
    let next = first;
    sandbox.batch = () => {
      const started = performance.now();
      while (next < jobs.length) {
        const job = jobs[next]!;
        try {
          job.resolve(job.run());
        } catch (error) {
          job.reject(error);
        }
        next += 1;
        if (performance.now() - started >= sliceMs) return;
      }
    };
    try {
      script.runInContext(context, { timeout: budgetMs });
    } catch (error) {
      // Only the watchdog's termination escapes a run (the runs' own exceptions are caught above).
      const stopped = (error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
      for (const job of jobs.slice(next, stopped ? next + 1 : jobs.length)) job.reject(stopped ? new TurnBudgetExceeded(budgetMs) : error);
      next = stopped ? next + 1 : jobs.length;
    } finally {
      sandbox.batch = undefined;
    }
    // Let HTTP, signals and commits in before the rest: a long batch or a stopped run never blocks them twice in a row.
    if (next < jobs.length) setImmediate(() => runFrom(jobs, next));
  }

  return <T>(run: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (queue.length === 0) queueMicrotask(flush);
      queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
    });
}
