/**
 * @module sqlite/list-instances
 * Owns instance queries: filters plus keyset pagination over
 * (created_at, instance_id), with an opaque continuation token.
 *
 * What must hold:
 * - Each page costs an index range scan of about `pageSize` rows, however
 *   many instances the table holds: with a status filter each status reads
 *   its own slice of instances_by_status (already in page order), and the
 *   slices are merged by one outer ORDER BY ... LIMIT.
 * - A token is returned only when another row follows, and paging never
 *   repeats or skips a row that existed throughout.
 * - The ID prefix is compared as a literal (no LIKE), so `%` and `_` are
 *   plain characters, and case-sensitively.
 * - An empty `runtimeStatus` list means no status filter (as in Durable
 *   Functions' HTTP API); purge, by contrast, reads an empty list as "none".
 * - Counts by status read the trigger-kept `instance_counts` (schema.ts),
 *   one row per status, never the instances.
 */
import { checkQuery, toInstanceCounts, toInstancePage, type PageKey } from '../instance-page.ts';
import type { InstanceCounts, InstancePage, InstanceQuery } from '../store.ts';
import type { InstanceRow } from './codec.ts';
import type { Connection } from './database.ts';

export function listInstances(connection: Connection, query: InstanceQuery): InstancePage {
  const { pageSize, after, statuses } = checkQuery(query);
  const { sql, params } = buildQuery(query, statuses, after, pageSize + 1);
  const rows = connection.statement(sql).all(...params) as InstanceRow[];
  return toInstancePage(rows, pageSize);
}

export function countInstancesByStatus(connection: Connection): InstanceCounts {
  const rows = connection.statement('SELECT runtime_status, count FROM instance_counts').all() as {
    runtime_status: string;
    count: number;
  }[];
  return toInstanceCounts(rows.map((row) => [row.runtime_status, row.count]));
}

/** One index range scan per status (or one in all), merged into page order. */
function buildQuery(query: InstanceQuery, statuses: readonly string[], after: PageKey | undefined, limit: number) {
  const { conditions, params } = filterConditions(query, after);
  const where = conditions.join(' AND ');
  const slice = `SELECT * FROM instances WHERE %STATUS%${where} ORDER BY created_at, instance_id LIMIT ?`;
  if (statuses.length === 0) return { sql: slice.replace('%STATUS%', ''), params: [...params, limit] };
  const perStatus = slice.replace('%STATUS%', 'runtime_status = ? AND ');
  return {
    sql: `${statuses.map(() => `SELECT * FROM (${perStatus})`).join(' UNION ALL ')} ORDER BY created_at, instance_id LIMIT ?`,
    params: [...statuses.flatMap((status) => [status, ...params, limit]), limit],
  };
}

function filterConditions(query: InstanceQuery, after: PageKey | undefined) {
  const conditions: string[] = ['1'];
  const params: unknown[] = [];
  if (query.createdFrom !== undefined) {
    conditions.push('created_at >= ?');
    params.push(query.createdFrom);
  }
  if (query.createdTo !== undefined) {
    conditions.push('created_at < ?');
    params.push(query.createdTo);
  }
  if (query.updatedFrom !== undefined) {
    conditions.push('updated_at >= ?');
    params.push(query.updatedFrom);
  }
  if (query.updatedTo !== undefined) {
    conditions.push('updated_at <= ?');
    params.push(query.updatedTo);
  }
  if (query.name !== undefined) {
    conditions.push('name = ?');
    params.push(query.name);
  }
  if (query.instanceIdPrefix !== undefined && query.instanceIdPrefix !== '') {
    conditions.push('substr(instance_id, 1, length(?)) = ?');
    params.push(query.instanceIdPrefix, query.instanceIdPrefix);
  }
  if (query.excludeEntities === true) conditions.push("substr(instance_id, 1, 1) <> '@'");
  if (after !== undefined) {
    conditions.push('(created_at, instance_id) > (?, ?)');
    params.push(after.createdAt, after.instanceId);
  }
  return { conditions, params };
}
