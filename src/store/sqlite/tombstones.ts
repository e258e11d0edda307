/**
 * @module sqlite/tombstones
 * Owns the tombstones of purged instances in a SQLite file: written by the
 * purge that deletes an instance started with `keepTombstone`, read by every
 * start of the same ID, removed by releaseInstanceId or by a start allowed to
 * take the ID (decision 0031).
 *
 * What must hold: every function runs inside the caller's write transaction
 * (the purge's or the start's), and SQLite has one writer at a time, so a
 * start never misses a tombstone a concurrent purge is writing.
 */
import type { RuntimeStatus } from '../../model/runtime-status.ts';
import type { Tombstone } from '../store.ts';
import type { Connection } from './database.ts';

interface TombstoneRow {
  readonly instance_id: string;
  readonly name: string;
  readonly execution_id: string;
  readonly runtime_status: RuntimeStatus;
  readonly created_at: number;
  readonly purged_at: number;
}

export function readTombstone(connection: Connection, instanceId: string): Tombstone | undefined {
  const row = connection.statement('SELECT * FROM instance_tombstones WHERE instance_id = ?').get(instanceId) as TombstoneRow | undefined;
  return row === undefined ? undefined : toTombstone(row);
}

/** Deletes the ID's tombstone; returns it, or undefined if there was none. */
export function takeTombstone(connection: Connection, instanceId: string): Tombstone | undefined {
  const row = connection.statement('DELETE FROM instance_tombstones WHERE instance_id = ? RETURNING *').get(instanceId) as
    TombstoneRow | undefined;
  return row === undefined ? undefined : toTombstone(row);
}

/** Leaves a tombstone for the instance if its start asked for one; call before deleting its row. */
export function leaveTombstone(connection: Connection, instanceId: string, now: number | undefined): void {
  connection
    .statement(
      `INSERT INTO instance_tombstones (instance_id, name, execution_id, runtime_status, created_at, purged_at)
       SELECT instance_id, name, execution_id, runtime_status, created_at, COALESCE(?, completed_at, updated_at)
       FROM instances WHERE instance_id = ? AND keep_tombstone = 1
       ON CONFLICT (instance_id) DO UPDATE SET name = excluded.name, execution_id = excluded.execution_id,
         runtime_status = excluded.runtime_status, created_at = excluded.created_at, purged_at = excluded.purged_at`,
    )
    .run(now ?? null, instanceId);
}

function toTombstone(row: TombstoneRow): Tombstone {
  return {
    instanceId: row.instance_id,
    name: row.name,
    executionId: row.execution_id,
    runtimeStatus: row.runtime_status,
    createdAt: row.created_at,
    purgedAt: row.purged_at,
  };
}
