/**
 * @module http/management-query
 * Query-string parsing and response shapes for the management API, kept
 * apart from the routes so each rule is stated once.
 *
 * What must hold:
 * - A malformed parameter is a ValidationError naming it as the caller
 *   spelled it (HTTP 400), never silently ignored: a typo in a purge filter
 *   must not widen the purge. An empty filter (`runtimeStatus=`) is an
 *   error too, not "no filter". Dates are strict ISO 8601 (http/iso-date).
 * - Status bodies have the Durable Functions keys, with `null` for absent
 *   values; a Failed instance's `output` is its failure message.
 */
import { ValidationError } from '../model/errors.ts';
import type { OrchestrationStatus } from '../model/instance.ts';
import { isRuntimeStatus, RuntimeStatus } from '../model/runtime-status.ts';
import { MAX_PAGE_SIZE, type ListInstancesFilter, type PurgeInstancesFilter } from '../client/filters.ts';
import { parseIsoDate } from './iso-date.ts';

export const CONTINUATION_HEADER = 'x-ms-continuation-token';

type Query = URLSearchParams;

export function parseBool(query: Query, name: string, fallback: boolean): boolean {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new ValidationError(name, `must be true or false (got '${value}')`);
}

/** The parameter's single value; absent is `undefined`, while empty or repeated is an error (a filter never widens). */
function single(query: Query, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new ValidationError(name, 'must be given once');
  if (values[0]!.trim() === '') throw new ValidationError(name, 'must not be empty (leave the parameter out for no filter)');
  return values[0];
}

function parseDate(query: Query, name: string): Date | undefined {
  const value = single(query, name);
  return value === undefined ? undefined : parseIsoDate(value, name);
}

/** `runtimeStatus=Running,Pending` (or repeated); every name must be a runtime status, none empty. */
function parseStatuses(query: Query): RuntimeStatus[] | undefined {
  const raw = query.getAll('runtimeStatus');
  if (raw.length === 0) return undefined;
  const values = raw.flatMap((v) => v.split(',')).map((v) => v.trim());
  for (const value of values) {
    if (value === '') throw new ValidationError('runtimeStatus', 'must not be empty or hold an empty name (leave it out for all statuses)');
    if (!isRuntimeStatus(value)) throw new ValidationError('runtimeStatus', `'${value}' is not a runtime status`);
  }
  return values as RuntimeStatus[];
}

function parseTop(query: Query): number | undefined {
  const value = single(query, 'top');
  if (value === undefined) return undefined;
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1 || Number(value) > MAX_PAGE_SIZE) {
    throw new ValidationError('top', `must be an integer from 1 to ${MAX_PAGE_SIZE} (got '${value}')`);
  }
  return Number(value);
}

export function parseListFilter(query: Query, continuationToken: string | undefined): ListInstancesFilter {
  const filter: Record<string, unknown> = {
    runtimeStatus: parseStatuses(query),
    createdTimeFrom: parseDate(query, 'createdTimeFrom'),
    createdTimeTo: parseDate(query, 'createdTimeTo'),
    instanceIdPrefix: single(query, 'instanceIdPrefix'),
    pageSize: parseTop(query),
    continuationToken: continuationToken || undefined,
    showInput: parseBool(query, 'showInput', false),
  };
  return withoutUndefined(filter);
}

/** Like Durable Functions, a purge by filter needs a lower bound, so a bare DELETE cannot empty the store. */
export function parsePurgeFilter(query: Query): PurgeInstancesFilter {
  const createdTimeFrom = parseDate(query, 'createdTimeFrom');
  if (!createdTimeFrom) throw new ValidationError('createdTimeFrom', 'is required to purge by filter');
  const filter = { createdTimeFrom, createdTimeTo: parseDate(query, 'createdTimeTo'), runtimeStatus: parseStatuses(query) };
  return withoutUndefined(filter);
}

export function parseReason(query: Query): string | undefined {
  return query.get('reason') ?? undefined;
}

/** Durable Functions answers 200 once an instance has finished and 202 while it is live. */
export function statusCode(status: OrchestrationStatus, failureAs500: boolean): 200 | 202 | 500 {
  switch (status.runtimeStatus) {
    case RuntimeStatus.Completed:
    case RuntimeStatus.Terminated:
      return 200;
    case RuntimeStatus.Failed:
      return failureAs500 ? 500 : 200;
    default:
      return 202;
  }
}

export function toStatusBody(status: OrchestrationStatus): Record<string, unknown> {
  const failed = status.runtimeStatus === RuntimeStatus.Failed;
  return {
    name: status.name,
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    input: status.input ?? null,
    customStatus: status.customStatus ?? null,
    output: failed ? (status.failureDetails?.message ?? status.output ?? null) : (status.output ?? null),
    ...(status.failureDetails ? { failureDetails: status.failureDetails } : {}),
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    ...(status.historyEvents ? { historyEvents: status.historyEvents } : {}),
  };
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
