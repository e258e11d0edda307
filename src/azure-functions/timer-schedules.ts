/**
 * @module azure-functions/timer-schedules
 * `app.timer` on Perdure's durable schedules. Each timer function becomes a
 * schedule named `perdure.timer.{name}` that starts a built-in orchestration
 * of the same name, which calls a built-in activity of that name, which runs
 * the handler. So, as on Azure (where a blob lease makes a timer a
 * singleton), an occurrence runs once however many hosts share the store; a
 * missed occurrence is caught up after downtime when the schedule is
 * monitored; and a handler that throws fails its instance, visible in the
 * dashboard and the status API.
 *
 * What must hold:
 * - Fire times follow the timer's own schedule: NCRONTAB (both day fields
 *   must match) in WEBSITE_TIME_ZONE or UTC, or a TimeSpan interval.
 * - Runs never overlap (Azure computes the next occurrence after a run
 *   ends): an occurrence that falls while a run is live is skipped.
 * - `useMonitor` (default: on for intervals of a minute or more) catches up
 *   one missed occurrence, reported `isPastDue`; off, only occurrences at
 *   most a minute late are run.
 */
import { RetryPolicy, type RetryPolicyOptions } from '../orchestration/retry-policy.ts';
import type { DurableClient as PerdureClient } from '../client/client.ts';
import type { ScheduleOptions } from '../client/schedule-spec.ts';
import type { FunctionApp } from '../runtime/app.ts';
import type { Logger } from '../runtime/logger.ts';
import { invokeTimer } from './timer-invocation.ts';
import type { TimerFunction } from './registry.ts';
import type { Duration, RetryOptions } from './types.ts';

/** What the activity needs from the host, which exists only after registration. */
export interface TimerBinding {
  client(): PerdureClient;
  /** The server's URL, for the check-status URLs of a durable client binding. */
  origin(): string;
  readonly logger: Logger;
  /** The host's clock, for `isPastDue` (default: the system's). */
  readonly now?: () => number;
}

export const TIMER_PREFIX = 'perdure.timer.';
/** How far back a monitored timer still runs a missed occurrence (Azure's monitor has no limit; a year is plenty). */
const MONITORED_CATCHUP_MS = 366 * 24 * 3_600_000;
const UNMONITORED_CATCHUP_MS = 60_000;

export function timerScheduleName(timer: TimerFunction): string {
  return `${TIMER_PREFIX}${timer.name}`;
}

/** Registers each timer's schedule, orchestration and activity on `app`. Call before the host is created. */
export function registerTimerSchedules(app: FunctionApp, timers: readonly TimerFunction[], binding: TimerBinding): void {
  for (const timer of timers) {
    const name = timerScheduleName(timer);
    const retry = timer.options.retry === undefined ? undefined : retryPolicyOf(timer.options.retry);
    app.activity(name, (due: string) => invokeTimer(timer, { due: new Date(due), ...binding, client: binding.client() }));
    app.orchestration(name, function* (ctx) {
      // The schedule names each run `{schedule}@{ISO fire time}`; a trigger's fire time is when it was asked.
      const due = ctx.instanceId.slice(ctx.instanceId.lastIndexOf('@') + 1);
      yield* ctx.callActivity(name, due, retry === undefined ? {} : { retry });
    });
    app.schedule(name, scheduleOf(timer, name));
  }
}

/** Runs the `runOnStartup` timers once now (Azure runs them whenever a host starts). */
export async function triggerStartupTimers(client: PerdureClient, timers: readonly TimerFunction[]): Promise<void> {
  for (const timer of timers) if (timer.runOnStartup) await client.schedules.trigger(timerScheduleName(timer));
}

function scheduleOf(timer: TimerFunction, orchestration: string): ScheduleOptions {
  return {
    ...timer.schedule.spec,
    orchestration,
    overlap: 'skip',
    catchupWindowMs: isMonitored(timer) ? MONITORED_CATCHUP_MS : UNMONITORED_CATCHUP_MS,
  };
}

function isMonitored(timer: TimerFunction): boolean {
  if (timer.options.useMonitor !== undefined) return timer.options.useMonitor;
  const first = timer.schedule.next(new Date());
  const second = first === undefined ? undefined : timer.schedule.next(first);
  return first !== undefined && second !== undefined && second.getTime() - first.getTime() >= 60_000;
}

function retryPolicyOf(retry: RetryOptions): RetryPolicy {
  const attempts = { maxNumberOfAttempts: retry.maxRetryCount + 1 };
  const options: RetryPolicyOptions =
    retry.strategy === 'fixedDelay'
      ? { ...attempts, firstRetryIntervalMs: durationMs(retry.delayInterval), backoffCoefficient: 1 }
      : {
          ...attempts,
          firstRetryIntervalMs: durationMs(retry.minimumInterval),
          maxRetryIntervalMs: durationMs(retry.maximumInterval),
          backoffCoefficient: 2,
        };
  return new RetryPolicy(options);
}

function durationMs(value: Duration | number): number {
  if (typeof value === 'number') return value;
  return ((value.hours ?? 0) * 3600 + (value.minutes ?? 0) * 60 + (value.seconds ?? 0)) * 1000 + (value.milliseconds ?? 0);
}
