/**
 * @module instance-page
 * What both SQL stores share about `listInstances`: checking the query, and
 * turning the rows of a keyset query into a page. The continuation token is
 * an opaque, URL-safe encoding of the last row's position (created_at,
 * instance_id), so paging never repeats or skips a row that existed throughout.
 *
 * What must hold:
 * - A token the store did not produce is a ValidationError naming
 *   `continuationToken`, never a query with garbage in it; so is an unknown status.
 * - A page carries a token only when another row follows (the store asks
 *   for one row more than the page size to know).
 */
import { ValidationError } from '../model/errors.ts';
import { ALL_RUNTIME_STATUSES, isRuntimeStatus, type RuntimeStatus } from '../model/runtime-status.ts';
import { toInstanceRecord, type InstanceRow } from './row-codec.ts';
import type { InstanceCounts, InstancePage, InstanceQuery } from './store.ts';

/** A query's checked parts: page size, position after the token, and distinct statuses (empty: any). */
export interface CheckedQuery {
  readonly pageSize: number;
  readonly after: PageKey | undefined;
  readonly statuses: readonly RuntimeStatus[];
}

export function checkQuery(query: InstanceQuery): CheckedQuery {
  const pageSize = validatePageSize(query.pageSize);
  const after = query.continuationToken === undefined ? undefined : decodePageToken(query.continuationToken);
  const statuses = [...new Set(query.runtimeStatus ?? [])];
  for (const status of statuses) {
    if (!isRuntimeStatus(status)) throw new ValidationError('runtimeStatus', `unknown status '${String(status)}'`);
  }
  return { pageSize, after, statuses };
}

/** Counter rows (status, count; a status may come in several rows, which are added) as a count for every status. */
export function toInstanceCounts(rows: Iterable<readonly [string, number | string]>): InstanceCounts {
  const counts = Object.fromEntries(ALL_RUNTIME_STATUSES.map((status) => [status, 0])) as Record<RuntimeStatus, number>;
  for (const [status, count] of rows) {
    if (isRuntimeStatus(status)) counts[status] += Number(count);
  }
  return counts;
}

/** The page from up to `pageSize + 1` rows in page order. */
export function toInstancePage(rows: readonly InstanceRow[], pageSize: number): InstancePage {
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    instances: page.map(toInstanceRecord),
    ...(rows.length > pageSize && last !== undefined
      ? { continuationToken: encodePageToken({ createdAt: last.created_at, instanceId: last.instance_id }) }
      : {}),
  };
}

export interface PageKey {
  readonly createdAt: number;
  readonly instanceId: string;
}

export function encodePageToken(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.instanceId])).toString('base64url');
}

export function decodePageToken(token: string): PageKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ValidationError('continuationToken', 'is not a token returned by listInstances', { cause: error });
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isSafeInteger(parsed[0]) || typeof parsed[1] !== 'string') {
    throw new ValidationError('continuationToken', 'is not a token returned by listInstances');
  }
  return { createdAt: parsed[0] as number, instanceId: parsed[1] };
}

export function validatePageSize(pageSize: number): number {
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new ValidationError('pageSize', `must be a positive integer (got ${String(pageSize)})`);
  }
  return pageSize;
}
