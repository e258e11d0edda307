/**
 * @module client/schedule-spec
 * What a schedule is: its checked definition (when it fires, what it
 * starts, its overlap policy) and the fire times that follow from it.
 *
 * What must hold:
 * - Fire times are a pure function of the definition, so every host
 *   computes the same ones: cron patterns through croner in the schedule's
 *   time zone, `everyMs` as multiples of the interval since the Unix epoch.
 * - Time zones (croner's rule, tested with Europe/Berlin): a wall-clock time
 *   that a DST gap skips fires once, at the first instant after the gap; a
 *   wall-clock time that occurs twice fires once, at its first occurrence.
 *   Patterns with a wildcard hour fire every real hour.
 * - Jitter is a pure function of the schedule name and fire time, so every
 *   host delays the same fire by the same amount.
 */
import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import { ValidationError } from '../model/errors.ts';
import { validateFunctionName, validateInstanceId } from '../model/instance-id.ts';
import { normalizePayload } from '../model/json.ts';

/** What a fire does while the schedule's previous run is still live (Temporal's overlap policies). */
export type OverlapPolicy = 'skip' | 'bufferOne' | 'bufferAll' | 'cancelOther' | 'terminateOther' | 'allowAll';
export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['skip', 'bufferOne', 'bufferAll', 'cancelOther', 'terminateOther', 'allowAll'];

export interface ScheduleOptions {
  /** Standard 5-field (minute precision) or 6-field (seconds first) cron pattern. Give `cron` or `everyMs`. */
  readonly cron?: string;
  /** A fixed interval: fires at every multiple of it since the Unix epoch. */
  readonly everyMs?: number;
  /** IANA time zone for `cron` (default UTC). */
  readonly timeZone?: string;
  /**
   * With `cron`: a day matches only when both the day-of-month and the
   * day-of-week fields match (NCRONTAB's rule, used for Azure timer
   * functions), instead of either (cron's rule, the default).
   */
  readonly domAndDow?: boolean;
  /** The orchestration each fire starts. */
  readonly orchestration: string | { readonly name: string };
  readonly input?: unknown;
  /** Default `skip`. */
  readonly overlap?: OverlapPolicy;
  /** Fires missed by at most this much (all hosts down) are still started; older ones are skipped (default 60 000). */
  readonly catchupWindowMs?: number;
  /** Delays each fire by a fixed pseudo-random 0..jitterMs, the same on every host (default 0). */
  readonly jitterMs?: number;
  /** Declared schedules: created paused (default false). */
  readonly startPaused?: boolean;
}

/** The checked definition, as stored. */
export interface ScheduleDefinition {
  readonly cron?: string;
  readonly everyMs?: number;
  readonly timeZone: string;
  readonly domAndDow?: true;
  readonly orchestration: string;
  readonly input?: unknown;
  readonly overlap: OverlapPolicy;
  readonly catchupWindowMs: number;
  readonly jitterMs: number;
}

export const DEFAULT_CATCHUP_WINDOW_MS = 60_000;
const MAX_FIRES_AHEAD = 1_000;

export function validateScheduleName(value: unknown): string {
  const name = validateInstanceId(value, 'schedule name');
  if (name.includes('@')) throw new ValidationError('schedule name', "must not contain '@' (it separates the name from the fire time)");
  if (name.length > 200) throw new ValidationError('schedule name', 'must be at most 200 characters');
  return name;
}

export function validateScheduleOptions(options: ScheduleOptions, maxPayloadBytes?: number): ScheduleDefinition {
  if (typeof options !== 'object' || options === null) throw new ValidationError('schedule', 'options must be an object');
  const { cron, everyMs } = options;
  if ((cron === undefined) === (everyMs === undefined)) throw new ValidationError('schedule', 'give exactly one of cron and everyMs');
  const orchestration = validateFunctionName(
    typeof options.orchestration === 'string' ? options.orchestration : options.orchestration?.name,
    'orchestration',
  );
  const overlap = options.overlap ?? 'skip';
  if (!OVERLAP_POLICIES.includes(overlap)) throw new ValidationError('overlap', `must be one of ${OVERLAP_POLICIES.join(', ')}`);
  const definition: ScheduleDefinition = {
    ...(cron === undefined ? {} : { cron: String(cron) }),
    ...(everyMs === undefined ? {} : { everyMs: positiveInteger(everyMs, 'everyMs', 1) }),
    timeZone: validateTimeZone(options.timeZone ?? 'UTC'),
    ...(dayRule(options.domAndDow) ? { domAndDow: true as const } : {}),
    orchestration,
    ...optionalInput(normalizePayload(options.input, 'input', maxPayloadBytes)),
    overlap,
    catchupWindowMs: positiveInteger(options.catchupWindowMs ?? DEFAULT_CATCHUP_WINDOW_MS, 'catchupWindowMs', 0),
    jitterMs: positiveInteger(options.jitterMs ?? 0, 'jitterMs', 0),
  };
  if (definition.cron !== undefined) cronOf(definition); // throws on a bad pattern or time zone
  return definition;
}

function validateTimeZone(timeZone: unknown): string {
  try {
    if (typeof timeZone !== 'string') throw new RangeError('not a string');
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch (error) {
    throw new ValidationError('timeZone', `'${String(timeZone)}' is not an IANA time zone`, { cause: error });
  }
}

function dayRule(value: unknown): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true;
  throw new ValidationError('domAndDow', 'must be a boolean');
}

function optionalInput(input: unknown): { input?: unknown } {
  return input === undefined ? {} : { input };
}

function positiveInteger(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ValidationError(field, `must be an integer of at least ${min}`);
  }
  return value;
}

function cronOf(definition: ScheduleDefinition): Cron {
  try {
    return new Cron(definition.cron!, { timezone: definition.timeZone, paused: true, domAndDow: definition.domAndDow === true });
  } catch (error) {
    throw new ValidationError('cron', error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** The first fire time strictly after `after` (epoch ms), if any. */
export function nextFireAfter(definition: ScheduleDefinition, after: number): number | undefined {
  if (definition.everyMs !== undefined) return (Math.floor(after / definition.everyMs) + 1) * definition.everyMs;
  return cronOf(definition).nextRun(new Date(after))?.getTime();
}

/** Fire times in (after, until], oldest first, at most `limit`. */
export function fireTimesBetween(definition: ScheduleDefinition, after: number, until: number, limit = MAX_FIRES_AHEAD): number[] {
  const times: number[] = [];
  let cursor = after;
  while (times.length < limit) {
    const next = nextFireAfter(definition, cursor);
    if (next === undefined || next > until) break;
    times.push(next);
    cursor = next;
  }
  return times;
}

/** The next `count` fire times after `after`. */
export function nextFireTimes(definition: ScheduleDefinition, after: number, count: number): number[] {
  return fireTimesBetween(definition, after, Number.MAX_SAFE_INTEGER, count);
}

/** When a fire is due: its time plus its jitter, the same on every host. */
export function dueAt(name: string, definition: ScheduleDefinition, fireTime: number): number {
  if (definition.jitterMs === 0) return fireTime;
  const hash = createHash('sha256').update(`${name}@${fireTime}`).digest().readUInt32BE(0);
  return fireTime + (hash % (definition.jitterMs + 1));
}

/** The deterministic instance ID of a fire: `{schedule}@{ISO fire time}`. */
export function fireInstanceId(name: string, fireTime: number): string {
  return `${name}@${new Date(fireTime).toISOString()}`;
}
