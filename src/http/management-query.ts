/**
 * @module http/management-query
 * Query-string parsing and response shapes for the management API, kept
 * apart from the routes so each rule is stated once.
 *
 * What must hold:
 * - A malformed parameter is a ValidationError naming it (HTTP 400), never
 *   silently ignored: a typo in a purge filter must not widen the purge.
 * - Status bodies have the Durable Functions keys, with `null` for absent
 *   values; a Failed instance's `output` is its failure message.
 */
import { ValidationError } from '../model/errors.ts';
import type { OrchestrationStatus } from '../model/instance.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import type { ListInstancesFilter, PurgeInstancesFilter } from '../client/filters.ts';

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

function parseDate(query: Query, name: string): Date | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new ValidationError(name, `must be an ISO 8601 date-time (got '${value}')`);
  return date;
}

/** `runtimeStatus=Running,Pending`; the client checks each name. */
function parseStatuses(query: Query): RuntimeStatus[] | undefined {
  const values = query
    .getAll('runtimeStatus')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length === 0 ? undefined : (values as RuntimeStatus[]);
}

function parseTop(query: Query): number | undefined {
  const value = query.get('top');
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new ValidationError('top', `must be a positive integer (got '${value}')`);
  return Number(value);
}

export function parseListFilter(query: Query, continuationToken: string | undefined): ListInstancesFilter {
  const filter: Record<string, unknown> = {
    runtimeStatus: parseStatuses(query),
    createdTimeFrom: parseDate(query, 'createdTimeFrom'),
    createdTimeTo: parseDate(query, 'createdTimeTo'),
    instanceIdPrefix: query.get('instanceIdPrefix') || undefined,
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
