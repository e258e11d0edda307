/**
 * @module postgres/tombstones
 * Owns the tombstones of purged instances in PostgreSQL: written by the
 * purge that deletes an instance started with `keepTombstone`, checked by
 * every start that creates an instance row, removed by releaseInstanceId or
 * by a start allowed to take the ID (decision 0031).
 *
 * What must hold: a start checks for tombstones in a statement of its own,
 * after its INSERT of the instance rows. A purge that deleted one of those
 * IDs made the INSERT wait for it to commit, so the check (a new snapshot)
 * sees the tombstone the purge wrote: no start slips past a purge. The
 * tombstones checked are locked (FOR UPDATE), so a release or another start
 * deciding on the same tombstone waits.
 */
import type { RuntimeStatus } from '../../model/runtime-status.ts';
import type { Tombstone } from '../store.ts';
import type { Database, Sql } from './database.ts';

interface TombstoneRow {
  readonly instance_id: string;
  readonly name: string;
  readonly execution_id: string;
  readonly runtime_status: RuntimeStatus;
  readonly created_at: string | number;
  readonly purged_at: string | number;
}

/** The tombstones of these IDs, locked until the caller's transaction ends. */
export async function lockTombstones(sql: Sql, instanceIds: readonly string[]): Promise<Map<string, Tombstone>> {
  const rows = await sql.rows<TombstoneRow>(
    'SELECT * FROM instance_tombstones WHERE instance_id = ANY($1::text[]) ORDER BY instance_id FOR UPDATE',
    [instanceIds],
    { prepare: true },
  );
  return new Map(rows.map((row) => [row.instance_id, toTombstone(row)]));
}

export async function deleteTombstones(sql: Sql, instanceIds: readonly string[]): Promise<void> {
  if (instanceIds.length > 0) await sql.rows('DELETE FROM instance_tombstones WHERE instance_id = ANY($1::text[])', [instanceIds]);
}

/** Deletes the ID's tombstone; returns it, or undefined if there was none. */
export async function releaseTombstone(db: Database, instanceId: string): Promise<Tombstone | undefined> {
  const [row] = await db.transaction((sql) =>
    sql.rows<TombstoneRow>('DELETE FROM instance_tombstones WHERE instance_id = $1 RETURNING *', [instanceId]),
  );
  return row === undefined ? undefined : toTombstone(row);
}

/** Leaves tombstones for the instances (locked by the caller) whose start asked for one; call before deleting them. */
export async function leaveTombstones(sql: Sql, instanceIds: readonly string[], now: number | undefined): Promise<void> {
  await sql.rows(
    `INSERT INTO instance_tombstones (instance_id, name, execution_id, runtime_status, created_at, purged_at)
     SELECT instance_id, name, execution_id, runtime_status, created_at, COALESCE($2::bigint, completed_at, updated_at)
     FROM instances WHERE instance_id = ANY($1::text[]) AND keep_tombstone
     ORDER BY instance_id
     ON CONFLICT (instance_id) DO UPDATE SET name = excluded.name, execution_id = excluded.execution_id,
       runtime_status = excluded.runtime_status, created_at = excluded.created_at, purged_at = excluded.purged_at`,
    [instanceIds, now ?? null],
  );
}

function toTombstone(row: TombstoneRow): Tombstone {
  return {
    instanceId: row.instance_id,
    name: row.name,
    executionId: row.execution_id,
    runtimeStatus: row.runtime_status,
    createdAt: Number(row.created_at),
    purgedAt: Number(row.purged_at),
  };
}
