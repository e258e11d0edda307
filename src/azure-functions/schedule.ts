/**
 * @module azure-functions/schedule
 * Timer schedules as Azure Functions writes them: NCRONTAB with six fields
 * (`{second} {minute} {hour} {day} {month} {day-of-week}`), a TimeSpan
 * (`hh:mm:ss`, an interval), or `%Name%` for an app setting holding either.
 * Croner computes the occurrences.
 *
 * What must hold:
 * - A schedule that is not one of these is refused at registration with a
 *   ValidationError naming the function, never at the first tick.
 * - NCRONTAB matches a day when both the day-of-month and day-of-week fields
 *   match (NCrontab's rule), not when either does (POSIX cron's).
 * - Occurrences are computed in UTC, or in the IANA zone named by the
 *   WEBSITE_TIME_ZONE setting.
 */
import { Cron } from 'croner';
import { ValidationError } from '../model/errors.ts';

export interface Schedule {
  /** The schedule as written, after app-setting substitution. */
  readonly expression: string;
  /** The same schedule as a Perdure schedule's fields (timer-schedules.ts). */
  readonly spec: { readonly cron: string; readonly timeZone: string; readonly domAndDow: true } | { readonly everyMs: number };
  /** The first occurrence strictly after `after`, or undefined if there is none. */
  next(after: Date): Date | undefined;
}

const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/;

export function parseSchedule(schedule: unknown, functionName: string, env: NodeJS.ProcessEnv = process.env): Schedule {
  const field = `schedule of timer '${functionName}'`;
  if (typeof schedule !== 'string' || schedule.trim() === '') throw new ValidationError(field, 'must be a non-empty string');
  const expression = resolveSetting(schedule.trim(), field, env);
  const span = TIME_SPAN.exec(expression);
  if (span) return intervalSchedule(expression, span, field);
  const fields = expression.split(/\s+/);
  if (fields.length !== 6) {
    throw new ValidationError(
      field,
      `'${expression}' is not an NCRONTAB expression with six fields ({second} {minute} {hour} {day} {month} {day-of-week}) nor a TimeSpan (hh:mm:ss)`,
    );
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, { mode: '6-part', domAndDow: true, timezone: timeZone(env), paused: true });
  } catch (error) {
    throw new ValidationError(field, `'${expression}' is not a valid NCRONTAB expression: ${(error as Error).message}`);
  }
  return {
    expression,
    spec: { cron: expression, timeZone: timeZone(env), domAndDow: true },
    next: (after) => cron.nextRun(after) ?? undefined,
  };
}

function resolveSetting(schedule: string, field: string, env: NodeJS.ProcessEnv): string {
  const setting = /^%([^%]+)%$/.exec(schedule);
  if (!setting) return schedule;
  const value = env[setting[1]!];
  if (value === undefined || value.trim() === '') throw new ValidationError(field, `the app setting '${setting[1]}' is not set`);
  return value.trim();
}

function intervalSchedule(expression: string, span: RegExpExecArray, field: string): Schedule {
  const [, days, hours, minutes, seconds] = span;
  const ms = ((Number(days ?? 0) * 24 + Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000;
  if (ms <= 0 || Number(minutes) > 59 || Number(seconds) > 59) {
    throw new ValidationError(field, `'${expression}' is not a positive TimeSpan`);
  }
  // Multiples of the interval since the Unix epoch, as Perdure's `everyMs` schedules fire.
  return { expression, spec: { everyMs: ms }, next: (after) => new Date((Math.floor(after.getTime() / ms) + 1) * ms) };
}

function timeZone(env: NodeJS.ProcessEnv): string {
  return env.WEBSITE_TIME_ZONE || 'UTC';
}
