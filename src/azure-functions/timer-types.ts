/**
 * @module azure-functions/timer-types
 * The timer-function vocabulary of `@azure/functions` v4.
 */
import type { InvocationContext } from './invocation-context.ts';
import type { FunctionOptions, FunctionResult, FunctionTrigger, RetryOptions } from './types.ts';

export type TimerHandler = (myTimer: Timer, context: InvocationContext) => FunctionResult;

export interface TimerTriggerOptions {
  /** NCRONTAB with six fields, seconds first (every five minutes: `0 0-59/5 * * * *`), a TimeSpan (`00:05:00`), or `%AppSetting%`. */
  schedule: string;
  /** Also run once when the host starts. */
  runOnStartup?: boolean;
  /** Run an occurrence missed while no host ran, once, when a host is back (default: on for intervals of a minute or more). */
  useMonitor?: boolean;
}

export interface TimerFunctionOptions extends TimerTriggerOptions, Partial<FunctionOptions> {
  handler: TimerHandler;
  trigger?: TimerTrigger;
  retry?: RetryOptions;
}

export type TimerTrigger = FunctionTrigger & TimerTriggerOptions;

export interface Timer {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string };
}
