/**
 * @module sqlite/purge
 * Owns deleting finished instances together with their history, inbox
 * messages and activities.
 *
 * What must hold:
 * - Only terminal instances are ever deleted; the status is checked inside
 *   the same write transaction that deletes, so an instance that is restarted
 *   concurrently survives.
 * - A filtered purge works in chunks, one short transaction each, so that a
 *   purge of a million rows never holds the write lock for long: other
 *   processes get to write between chunks.
 */
import { TERMINAL_STATUSES, isTerminalStatus } from '../../model/runtime-status.ts';
import type { PurgeFilter } from '../store.ts';
import type { Connection } from './database.ts';
import { deleteInstanceData } from './inbox.ts';
import { readInstanceRow } from './instances.ts';

const CHUNK_SIZE = 1000;

export function purge(connection: Connection, filter: PurgeFilter): number {
  if ('instanceId' in filter) return purgeOne(connection, filter.instanceId);
  const statuses = (filter.runtimeStatus ?? TERMINAL_STATUSES).filter(isTerminalStatus);
  if (statuses.length === 0) return 0;
  const select = connection.statement(
    `SELECT instance_id FROM instances
     WHERE runtime_status IN (SELECT value FROM json_each(?)) AND created_at >= ? AND created_at < ?
     LIMIT ${CHUNK_SIZE}`,
  );
  const args = [JSON.stringify(statuses), filter.createdFrom ?? Number.MIN_SAFE_INTEGER, filter.createdTo ?? Number.MAX_SAFE_INTEGER];
  let total = 0;
  for (;;) {
    const deleted = connection.write(() => {
      const ids = select.pluck().all(...args) as string[];
      for (const id of ids) deleteInstance(connection, id);
      return ids.length;
    });
    total += deleted;
    if (deleted < CHUNK_SIZE) return total;
  }
}

function purgeOne(connection: Connection, instanceId: string): number {
  return connection.write(() => {
    const row = readInstanceRow(connection, instanceId);
    if (row === undefined || !isTerminalStatus(row.runtime_status)) return 0;
    deleteInstance(connection, instanceId);
    return 1;
  });
}

function deleteInstance(connection: Connection, instanceId: string): void {
  deleteInstanceData(connection, instanceId);
  connection.statement('DELETE FROM instances WHERE instance_id = ?').run(instanceId);
}
