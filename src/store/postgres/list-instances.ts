/**
 * @module postgres/list-instances
 * Owns instance queries: filters plus keyset pagination over
 * (created_at, instance_id), with an opaque continuation token (the same
 * token format as the SQLite store's).
 *
 * What must hold:
 * - Each page costs an index range scan of about `pageSize` rows, however
 *   many instances the table holds: with a status filter each status reads
 *   its own slice of instances_by_status (already in page order), and the
 *   slices are merged by one outer ORDER BY ... LIMIT.
 * - A token is returned only when another row follows, and paging never
 *   repeats or skips a row that existed throughout.
 * - The ID prefix is compared as a literal (starts_with, no LIKE), so `%`
 *   and `_` are plain characters; instance IDs compare bytewise ("C" collation).
 */
import { checkQuery, toInstancePage, type PageKey } from '../instance-page.ts';
import type { InstancePage, InstanceQuery } from '../store.ts';
import type { InstanceRow } from './codec.ts';
import type { Database } from './database.ts';

export async function listInstances(db: Database, query: InstanceQuery): Promise<InstancePage> {
  const { pageSize, after, statuses } = checkQuery(query);
  const { sql, params } = buildQuery(query, statuses, after, pageSize + 1);
  const rows = await db.statement<InstanceRow>(sql, params, { idempotent: true });
  return toInstancePage(rows, pageSize);
}

/** One index range scan per status (or one in all), merged into page order. */
function buildQuery(query: InstanceQuery, statuses: readonly string[], after: PageKey | undefined, limit: number) {
  const params: unknown[] = [limit];
  const param = (value: unknown) => `$${params.push(value)}`;
  const conditions = filterConditions(query, after, param);
  const slice = (status: string | undefined) => {
    const where = [...(status === undefined ? [] : [`runtime_status = ${param(status)}`]), ...conditions];
    return `SELECT * FROM instances WHERE ${where.join(' AND ') || 'true'} ORDER BY created_at, instance_id LIMIT $1`;
  };
  if (statuses.length === 0) return { sql: slice(undefined), params };
  const union = statuses.map((status) => `(${slice(status)})`).join(' UNION ALL ');
  return { sql: `SELECT * FROM (${union}) AS page ORDER BY created_at, instance_id LIMIT $1`, params };
}

function filterConditions(query: InstanceQuery, after: PageKey | undefined, param: (value: unknown) => string): string[] {
  const conditions: string[] = [];
  if (query.createdFrom !== undefined) conditions.push(`created_at >= ${param(query.createdFrom)}`);
  if (query.createdTo !== undefined) conditions.push(`created_at < ${param(query.createdTo)}`);
  if (query.updatedFrom !== undefined) conditions.push(`updated_at >= ${param(query.updatedFrom)}`);
  if (query.updatedTo !== undefined) conditions.push(`updated_at <= ${param(query.updatedTo)}`);
  if (query.name !== undefined) conditions.push(`name = ${param(query.name)}`);
  if (query.instanceIdPrefix !== undefined && query.instanceIdPrefix !== '') {
    conditions.push(`starts_with(instance_id, ${param(query.instanceIdPrefix)})`);
  }
  if (query.excludeEntities === true) conditions.push(`left(instance_id, 1) <> '@'`);
  if (after !== undefined) {
    conditions.push(`(created_at, instance_id) > (${param(after.createdAt)}::bigint, ${param(after.instanceId)})`);
  }
  return conditions;
}
