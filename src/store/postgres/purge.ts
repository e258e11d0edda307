/**
 * @module postgres/purge
 * Owns deleting finished instances together with their history, inbox
 * messages and activities.
 *
 * What must hold:
 * - Only terminal instances are ever deleted: rows are locked (FOR UPDATE)
 *   and PostgreSQL re-checks the status filter on the newest version of a
 *   locked row, so an instance restarted concurrently survives.
 * - Nothing is left behind for a later instance with the same ID: FOR UPDATE
 *   waits for any transaction that checked the row's existence (FOR KEY
 *   SHARE) to queue a message; tasks are deleted in a statement of their own
 *   (it waits for completions in flight); and the inbox is deleted after both,
 *   by a statement whose snapshot sees what they queued.
 * - Rows are locked in instance-ID order, as everywhere else.
 * - A filtered purge never touches an entity (`@name@key`): an entity with no
 *   state looks finished but may have a signal on its way in; entities are
 *   removed by cleanEntityStorage, which checks the inbox in the same transaction.
 * - An instance started with `keepTombstone` leaves its tombstone in the
 *   transaction that deletes it, whichever purge deletes it (decision 0031).
 * - A filtered purge works in chunks, one short transaction each, so that a
 *   purge of a million rows never holds many locks for long; the event loop
 *   runs while each chunk is on the server.
 */
import { TERMINAL_STATUSES, isTerminalStatus } from '../../model/runtime-status.ts';
import { purgeWindow } from '../purge-window.ts';
import type { PurgeFilter } from '../store.ts';
import type { Database, Sql } from './database.ts';
import { leaveTombstones } from './tombstones.ts';

const CHUNK_SIZE = 1000;

export async function purge(db: Database, filter: PurgeFilter): Promise<number> {
  if ('instanceId' in filter) {
    return purgeLocked(
      db,
      'SELECT instance_id FROM instances WHERE instance_id = $1 AND runtime_status = ANY($2::text[]) FOR UPDATE',
      [filter.instanceId, TERMINAL_STATUSES],
      { onlyIfInboxEmpty: filter.onlyIfInboxEmpty === true, now: filter.now },
    );
  }
  const statuses = (filter.runtimeStatus ?? TERMINAL_STATUSES).filter(isTerminalStatus);
  if (statuses.length === 0) return 0;
  const { createdFrom, createdTo, completedTo } = purgeWindow(filter);
  const params = [statuses, createdFrom, createdTo, completedTo];
  const limit = filter.limit ?? Infinity;
  let total = 0;
  while (total < limit) {
    const deleted = await purgeLocked(
      db,
      `SELECT instance_id FROM instances
       WHERE runtime_status = ANY($1::text[]) AND created_at >= $2 AND created_at < $3 AND COALESCE(completed_at, updated_at) < $4
         AND left(instance_id, 1) <> '@'
       ORDER BY instance_id LIMIT $5 FOR UPDATE`,
      [...params, Math.min(CHUNK_SIZE, limit - total)],
      { now: filter.now },
    );
    total += deleted;
    // Not `deleted < CHUNK_SIZE`: rows that changed under the lock (a concurrent restart) are
    // left out of a chunk, so a short chunk does not mean nothing is left.
    if (deleted === 0) return total;
  }
  return total;
}

/** Locks the instances `select` picks and deletes them with everything stored for them, in one transaction. */
function purgeLocked(
  db: Database,
  select: string,
  params: readonly unknown[],
  { onlyIfInboxEmpty = false, now }: { onlyIfInboxEmpty?: boolean; now: number | undefined },
): Promise<number> {
  return db.transaction(async (sql: Sql) => {
    const ids = (await sql.rows<{ instance_id: string }>(select, params)).map((row) => row.instance_id);
    if (ids.length === 0) return 0;
    // A statement of its own, after the lock: it sees messages committed by whoever held the row before.
    if (onlyIfInboxEmpty && (await sql.rows('SELECT 1 FROM inbox WHERE instance_id = ANY($1::text[]) LIMIT 1', [ids])).length > 0) return 0;
    await leaveTombstones(sql, ids, now);
    await sql.rows('DELETE FROM activities WHERE instance_id = ANY($1::text[])', [ids]);
    await sql.rows(
      `WITH h AS (DELETE FROM history WHERE instance_id = ANY($1::text[])),
            m AS (DELETE FROM inbox WHERE instance_id = ANY($1::text[])),
            e AS (DELETE FROM event_ids WHERE instance_id = ANY($1::text[]))
       DELETE FROM instances WHERE instance_id = ANY($1::text[])`,
      [ids],
    );
    return ids.length;
  });
}
