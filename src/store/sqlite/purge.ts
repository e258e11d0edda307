/**
 * @module sqlite/purge
 * Owns deleting finished instances together with their history, inbox
 * messages and activities.
 *
 * What must hold:
 * - Only terminal instances are ever deleted; the status is checked inside
 *   the same write transaction that deletes, so an instance that is restarted
 *   concurrently survives.
 * - A filtered purge never touches an entity (`@name@key`): an entity with no
 *   state looks finished but may have a signal on its way in; entities are
 *   removed by cleanEntityStorage, which checks the inbox in the same transaction.
 * - A filtered purge works in chunks, one short transaction each, and yields
 *   to the event loop between them, so that a purge of a million rows never
 *   holds the write lock, nor this process, for long: other processes, and
 *   this one's HTTP answers and commits, get to run between chunks.
 * - An instance started with `keepTombstone` leaves its tombstone in the
 *   transaction that deletes it, whichever purge deletes it (decision 0031).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { TERMINAL_STATUSES, isTerminalStatus } from '../../model/runtime-status.ts';
import { purgeWindow } from '../purge-window.ts';
import type { PurgeFilter } from '../store.ts';
import type { Connection } from './database.ts';
import { deleteInstanceData } from './inbox.ts';
import { readInstanceRow } from './instances.ts';
import { leaveTombstone } from './tombstones.ts';

/** Instances deleted per transaction: small enough that one chunk holds the event loop for a few ms (docs/benchmarks.md). */
export const PURGE_CHUNK_SIZE = 100;

/** `connection` is asked for again after every pause: the store may have been closed meanwhile. */
export async function purge(connection: () => Connection, filter: PurgeFilter): Promise<number> {
  if ('instanceId' in filter) return purgeOne(connection(), filter.instanceId, filter.onlyIfInboxEmpty === true, filter.now);
  const statuses = (filter.runtimeStatus ?? TERMINAL_STATUSES).filter(isTerminalStatus);
  if (statuses.length === 0) return 0;
  const { createdFrom, createdTo, completedTo } = purgeWindow(filter);
  const args = [JSON.stringify(statuses), createdFrom, createdTo, completedTo];
  const limit = filter.limit ?? Infinity;
  let total = 0;
  for (;;) {
    const size = Math.min(PURGE_CHUNK_SIZE, limit - total);
    const deleted = purgeChunk(connection(), [...args, size], filter.now);
    total += deleted;
    if (deleted < size || total >= limit) return total;
    // Let HTTP answers, claims and commits in between; the next chunk re-reads statuses in its own transaction.
    await nextTurn();
  }
}

function purgeChunk(connection: Connection, args: readonly unknown[], now: number | undefined): number {
  const select = connection.statement(
    `SELECT instance_id FROM instances
     WHERE runtime_status IN (SELECT value FROM json_each(?)) AND created_at >= ? AND created_at < ? AND COALESCE(completed_at, updated_at) < ?
       AND substr(instance_id, 1, 1) <> '@'
     LIMIT ?`,
  );
  return connection.write(() => {
    const ids = select.pluck().all(...args) as string[];
    for (const id of ids) deleteInstance(connection, id, now);
    return ids.length;
  });
}

function purgeOne(connection: Connection, instanceId: string, onlyIfInboxEmpty: boolean, now: number | undefined): number {
  return connection.write(() => {
    const row = readInstanceRow(connection, instanceId);
    if (row === undefined || !isTerminalStatus(row.runtime_status)) return 0;
    if (onlyIfInboxEmpty && connection.statement('SELECT 1 FROM inbox WHERE instance_id = ? LIMIT 1').get(instanceId) !== undefined)
      return 0;
    deleteInstance(connection, instanceId, now);
    return 1;
  });
}

/** Deletes the instance, leaving a tombstone in the same transaction if its start asked for one. */
function deleteInstance(connection: Connection, instanceId: string, now: number | undefined): void {
  leaveTombstone(connection, instanceId, now);
  deleteInstanceData(connection, instanceId);
  connection.statement('DELETE FROM instances WHERE instance_id = ?').run(instanceId);
}
