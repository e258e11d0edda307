/**
 * @module client-filters
 * Validation of the list and purge filters, so a bad filter is an error
 * that names the field instead of a query that matches nothing (or, for a
 * purge, everything).
 */
import { ValidationError } from '../model/errors.ts';
import { assertNoControlCharacters } from '../model/instance-id.ts';
import { isRuntimeStatus, isTerminalStatus, type RuntimeStatus } from '../model/runtime-status.ts';
import type { InstanceQuery, PurgeFilter } from '../store/store.ts';

export interface ListInstancesFilter {
  readonly runtimeStatus?: readonly RuntimeStatus[];
  readonly createdTimeFrom?: Date;
  readonly createdTimeTo?: Date;
  readonly name?: string;
  readonly instanceIdPrefix?: string;
  /** Leave out entities' instances (`@name@key`), as Durable Task's `ExcludeEntities` (default false: listed, as Durable Functions' HTTP list does). */
  readonly excludeEntities?: boolean;
  /** 1 to 1000 (default 100). */
  readonly pageSize?: number;
  readonly continuationToken?: string;
  readonly showInput?: boolean;
}

export interface PurgeInstancesFilter {
  readonly createdTimeFrom?: Date;
  readonly createdTimeTo?: Date;
  /** Terminal statuses only (default: all three). */
  readonly runtimeStatus?: readonly RuntimeStatus[];
}

export const MAX_PAGE_SIZE = 1000;

export function validateListQuery(filter: ListInstancesFilter): InstanceQuery {
  const pageSize = filter.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new ValidationError('pageSize', `must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${String(filter.pageSize)})`);
  }
  return {
    pageSize,
    ...optional('runtimeStatus', filter.runtimeStatus === undefined ? undefined : statuses(filter.runtimeStatus, false)),
    ...optional('createdFrom', time(filter.createdTimeFrom, 'createdTimeFrom')),
    ...optional('createdTo', time(filter.createdTimeTo, 'createdTimeTo')),
    ...optional('name', text(filter.name, 'name')),
    ...optional('instanceIdPrefix', text(filter.instanceIdPrefix, 'instanceIdPrefix')),
    ...optional('continuationToken', text(filter.continuationToken, 'continuationToken')),
    ...optional('excludeEntities', flag(filter.excludeEntities, 'excludeEntities')),
  };
}

export function validatePurgeFilter(filter: PurgeInstancesFilter): PurgeFilter {
  if (filter === null || typeof filter !== 'object') throw new ValidationError('filter', 'must be an object');
  return {
    ...optional('createdFrom', time(filter.createdTimeFrom, 'createdTimeFrom')),
    ...optional('createdTo', time(filter.createdTimeTo, 'createdTimeTo')),
    ...optional('runtimeStatus', filter.runtimeStatus === undefined ? undefined : statuses(filter.runtimeStatus, true)),
  };
}

function statuses(values: readonly RuntimeStatus[], terminalOnly: boolean): readonly RuntimeStatus[] {
  // Checked through an `unknown` alias: Array.isArray would narrow the parameter itself to any[].
  const untyped: unknown = values;
  if (!Array.isArray(untyped)) throw new ValidationError('runtimeStatus', 'must be an array of runtime statuses');
  for (const value of values) {
    if (!isRuntimeStatus(value)) throw new ValidationError('runtimeStatus', `'${String(value)}' is not a runtime status`);
    if (terminalOnly && !isTerminalStatus(value))
      throw new ValidationError('runtimeStatus', `only terminal instances can be purged, not '${value}'`);
  }
  return values;
}

function flag(value: boolean | undefined, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ValidationError(field, 'must be true or false');
  return value;
}

function time(value: Date | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new ValidationError(field, 'must be a valid Date');
  return value.getTime();
}

function text(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 1024) throw new ValidationError(field, 'must be a string of at most 1024 characters');
  assertNoControlCharacters(value, field);
  return value;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
