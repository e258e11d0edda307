/**
 * @module azure-functions/registry
 * What `app.timer` registered in this process. HTTP functions go straight
 * into Perdure's function app (runtime/app.ts), which serves them; timers
 * have no home there, so the CLI asks this registry for them and runs them.
 *
 * What must hold:
 * - Names are unique across timers, as Azure requires of function names.
 */
import { ValidationError } from '../model/errors.ts';
import type { Schedule } from './schedule.ts';
import type { TimerFunctionOptions } from './timer-types.ts';
import type { FunctionInput } from './types.ts';

export interface TimerFunction {
  readonly name: string;
  readonly schedule: Schedule;
  readonly runOnStartup: boolean;
  readonly options: TimerFunctionOptions;
  readonly extraInputs: readonly FunctionInput[];
}

const timers = new Map<string, TimerFunction>();

export function registerTimer(timer: TimerFunction): void {
  if (timers.has(timer.name)) throw new ValidationError('name', `a timer function named '${timer.name}' is already registered`);
  timers.set(timer.name, timer);
}

export function timerFunctions(): readonly TimerFunction[] {
  return [...timers.values()];
}
