/**
 * @module azure-functions/timer-runner
 * Runs the registered timer functions in this process: for each, wait until
 * its next occurrence, call the handler, repeat.
 *
 * This is an in-process schedule, not a durable one: every host serving the
 * app runs every timer (no leader election), an occurrence that falls while
 * no host runs is skipped, and a handler that throws is logged and not
 * retried. The migration guide says so.
 *
 * What must hold:
 * - An occurrence never runs twice on one host, and a handler still running
 *   when its next occurrence comes makes that occurrence wait (Azure's
 *   singleton-per-host rule), never overlap.
 * - `stop()` cancels pending waits and resolves once running handlers finish.
 */
import { randomUUID } from 'node:crypto';
import type { DurableClient as PerdureClient } from '../client/client.ts';
import type { Logger } from '../runtime/logger.ts';
import { provideDurableClient } from './client-binding.ts';
import { InvocationContext, logHandlerFor } from './invocation-context.ts';
import { timerFunctions, type TimerFunction } from './registry.ts';
import type { Timer } from './timer-types.ts';

export interface TimerRunnerOptions {
  readonly client: PerdureClient;
  /** Origin of the check-status URLs a timer's durable client builds (the server's URL). */
  readonly origin: string;
  readonly logger: Logger;
  /** Defaults to every timer registered in this process. */
  readonly timers?: readonly TimerFunction[];
  readonly now?: () => number;
}

export interface TimerRunner {
  stop(): Promise<void>;
}

/** A late start by more than this is reported as `isPastDue`. */
const PAST_DUE_MS = 1_000;
/** setTimeout's largest delay; longer waits are chained. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export function startTimerTriggers(options: TimerRunnerOptions): TimerRunner {
  const now = options.now ?? Date.now;
  const pending = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const waitUntil = (at: number, then: () => void) => {
    const handle = setTimeout(
      () => {
        pending.delete(handle);
        if (stopped) return;
        if (now() < at) waitUntil(at, then);
        else then();
      },
      Math.min(Math.max(at - now(), 0), MAX_DELAY_MS),
    );
    pending.add(handle);
  };

  const schedule = (timer: TimerFunction, last: Date | undefined, after: Date) => {
    const next = timer.schedule.next(after);
    if (next === undefined || stopped) return;
    waitUntil(next.getTime(), () => {
      const run = invoke(timer, options, next, last, now).finally(() => running.delete(run));
      running.add(run);
      // The next occurrence is computed after this one finishes: runs of one timer never overlap.
      void run.then(() => schedule(timer, next, new Date(Math.max(now(), next.getTime()))));
    });
  };

  for (const timer of options.timers ?? timerFunctions()) {
    if (timer.runOnStartup) {
      const startedAt = new Date(now());
      const run = invoke(timer, options, startedAt, undefined, now).finally(() => running.delete(run));
      running.add(run);
      void run.then(() => schedule(timer, startedAt, new Date(now())));
    } else {
      schedule(timer, undefined, new Date(now()));
    }
  }

  return {
    async stop() {
      stopped = true;
      for (const handle of pending) clearTimeout(handle);
      pending.clear();
      await Promise.allSettled([...running]);
    },
  };
}

async function invoke(
  timer: TimerFunction,
  options: TimerRunnerOptions,
  due: Date,
  last: Date | undefined,
  now: () => number,
): Promise<void> {
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: timer.name,
    logHandler: logHandlerFor(options.logger),
    options: {
      trigger: { type: 'timerTrigger', name: 'myTimer', schedule: timer.schedule.expression },
      extraInputs: [...timer.extraInputs],
    },
  });
  provideDurableClient(context, timer.extraInputs, options.client, options.origin);
  const startedAt = now();
  const info: Timer = {
    isPastDue: startedAt - due.getTime() > PAST_DUE_MS,
    schedule: { adjustForDST: true },
    scheduleStatus: {
      last: (last ?? new Date(0)).toISOString(),
      next: (timer.schedule.next(due) ?? due).toISOString(),
      lastUpdated: new Date(startedAt).toISOString(),
    },
  };
  try {
    await timer.options.handler(info, context);
  } catch (error) {
    options.logger.error(`Timer function '${timer.name}' failed:`, error instanceof Error ? (error.stack ?? error.message) : error);
  }
}
