/**
 * @module http/management-query
 * Query-string parsing for the management API, with Durable Functions'
 * names, defaults and leniency (HttpApiHandler.cs and
 * HttpRequestMessageExtensions.cs in azure-functions-durable-extension).
 *
 * What must hold:
 * - Names are case-insensitive and a repeated name reads as its values
 *   joined with commas, as in Durable Functions.
 * - Leniency never widens what a request touches. A boolean that does not
 *   parse takes its default, as in Durable Functions. A filter that does not
 *   parse (a date, a status, `top`), is empty (`runtimeStatus=`) or repeated
 *   where one value is expected is a ValidationError naming the parameter as
 *   the caller spelled it, where Durable Functions would drop the filter.
 *   Dates are strict ISO 8601 (http/iso-date).
 * - A control character (NUL...) in any parameter read here is a 400.
 * - Every wait is bounded and checked before anything starts.
 */
import { ValidationError } from '../model/errors.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import { parseIsoDate } from './iso-date.ts';

export const CONTINUATION_HEADER = 'x-ms-continuation-token';

/** Durable Functions' default page size (OrchestrationStatusQueryCondition.Top). */
export const DEFAULT_TOP = 100;
/** The longest `timeout` a start or restart may wait, in seconds: one day. */
export const MAX_WAIT_SECONDS = 86_400;

/** A request's query with Durable Functions' reading rules. */
export class ManagementQuery {
  readonly #values = new Map<string, string[]>();

  /** `extra` is query text a client put in the path after a literal `&` (see management-path). */
  constructor(search: string, extra = '') {
    for (const part of [search, extra]) {
      for (const [name, value] of new URLSearchParams(part)) {
        const key = name.trim().toLowerCase();
        if (key === '') continue;
        const list = this.#values.get(key) ?? [];
        list.push(value.trim());
        this.#values.set(key, list);
      }
    }
  }

  /** The value, or the values joined with commas when the name is repeated; `undefined` when absent. */
  get(name: string): string | undefined {
    const value = this.#values.get(name.toLowerCase())?.join(',');
    if (value !== undefined && CONTROL.test(value)) throw new ValidationError(name, 'must not contain control characters');
    return value;
  }

  /** A filter's single value: absent is `undefined`; empty or repeated is an error, never "no filter". */
  single(name: string): string | undefined {
    const values = this.#values.get(name.toLowerCase());
    if (values === undefined) return undefined;
    if (values.length > 1) throw new ValidationError(name, 'must be given once');
    if (values[0] === '') throw new ValidationError(name, 'must not be empty (leave the parameter out for no filter)');
    return this.get(name);
  }

  /** Like .NET `bool.TryParse` in Durable Functions: `true`/`false` in any case; anything else takes the default. */
  bool(name: string, fallback: boolean): boolean {
    const value = this.get(name)?.toLowerCase();
    if (value === 'true') return true;
    if (value === 'false') return false;
    return fallback;
  }

  /** Seconds, fractions allowed, like .NET `double.TryParse`; text that is no number at all is absent. */
  seconds(name: string): number | undefined {
    const value = this.get(name);
    if (value === undefined || value === '') return undefined;
    if (/^[+-]?(NaN|Infinity|∞)$/i.test(value)) return Number.NaN;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value)) return undefined;
    return Number(value);
  }

  date(name: string): Date | undefined {
    const value = this.single(name);
    return value === undefined ? undefined : parseIsoDate(value, name);
  }
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Durable Functions' status names and numbers (OrchestrationRuntimeStatus).
 * `Canceled` exists there but never happens in Perdure: a filter on it
 * matches nothing.
 */
const DF_STATUSES: ReadonlyMap<string, RuntimeStatus | 'Canceled'> = new Map([
  ['Running', RuntimeStatus.Running],
  ['Completed', RuntimeStatus.Completed],
  ['ContinuedAsNew', RuntimeStatus.ContinuedAsNew],
  ['Failed', RuntimeStatus.Failed],
  ['Canceled', 'Canceled'],
  ['Terminated', RuntimeStatus.Terminated],
  ['Pending', RuntimeStatus.Pending],
  ['Suspended', RuntimeStatus.Suspended],
]);
const DF_STATUS_NUMBERS = [...DF_STATUSES.keys()];

/**
 * `runtimeStatus=Running,Pending` (or repeated): `undefined` when absent,
 * otherwise the Perdure statuses asked for, which may be empty (only
 * `Canceled` was asked for): then nothing matches.
 */
export function parseStatuses(query: ManagementQuery): RuntimeStatus[] | undefined {
  const text = query.get('runtimeStatus');
  if (text === undefined) return undefined;
  const statuses = new Set<RuntimeStatus>();
  for (const piece of text.split(',').map((p) => p.trim())) {
    if (piece === '') throw new ValidationError('runtimeStatus', 'must not be empty or hold an empty name (leave it out for all statuses)');
    const name = /^\d$/.test(piece) ? DF_STATUS_NUMBERS[Number(piece)] : piece;
    const status = name === undefined ? undefined : DF_STATUSES.get(name);
    if (status === undefined) {
      throw new ValidationError(
        'runtimeStatus',
        `'${piece}' is not a runtime status (use ${DF_STATUS_NUMBERS.join(', ')}; names are case-sensitive)`,
      );
    }
    if (status !== 'Canceled') statuses.add(status);
  }
  return [...statuses];
}

/**
 * `top`: a positive integer, Durable Functions' default when absent. Any
 * size is accepted, as in Durable Functions; the store caps one page and the
 * continuation token carries the rest.
 */
export function parseTop(query: ManagementQuery): number {
  const value = query.single('top');
  if (value === undefined) return DEFAULT_TOP;
  if (!/^\+?\d{1,9}$/.test(value) || Number(value) < 1) throw new ValidationError('top', `must be a positive integer (got '${value}')`);
  return Number(value);
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
}

/**
 * `timeout` and `pollingInterval` (seconds) on start and restart. Perdure is
 * woken by completions rather than polling, so `timeout` alone is enough to
 * wait, as Durable Functions allows for poll-free providers; the interval
 * only caps the polls that catch other hosts' progress.
 */
export function parseWait(query: ManagementQuery): WaitOptions | undefined {
  const timeout = query.seconds('timeout');
  if (timeout === undefined) return undefined;
  if (!Number.isFinite(timeout) || timeout < 0 || timeout > MAX_WAIT_SECONDS) {
    throw new ValidationError('timeout', `must be a number of seconds from 0 to ${MAX_WAIT_SECONDS} (got '${query.get('timeout')}')`);
  }
  const interval = query.seconds('pollingInterval') ?? Math.min(timeout, 1);
  if (!Number.isFinite(interval) || interval < 0) {
    throw new ValidationError('pollingInterval', `must be a number of seconds (got '${query.get('pollingInterval')}')`);
  }
  if (interval > timeout) throw new ValidationError('pollingInterval', `must not be greater than timeout (${interval} > ${timeout})`);
  return { timeoutMs: Math.round(timeout * 1000), pollIntervalMs: Math.max(Math.round(interval * 1000), 10) };
}
