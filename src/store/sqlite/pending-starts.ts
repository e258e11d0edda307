/**
 * @module sqlite/pending-starts
 * Owns `queueLatest`'s pending starts in a SQLite file: one row per
 * instance ID, replaced by each newer request, and begun by the commit that
 * ends the live instance.
 *
 * What must hold: queueing and beginning happen inside the caller's write
 * transaction (the start's, or the commit's), so a pending start is never
 * lost between the instance finishing and the next one beginning, and never
 * begun twice.
 */
import { decodePendingStart, encodePendingStart, pendingStartRequest } from '../pending-start.ts';
import type { PendingStart, StartRequest } from '../store.ts';
import type { Connection } from './database.ts';

export function queuePendingStart(connection: Connection, request: StartRequest): void {
  connection
    .statement(
      `INSERT INTO pending_starts (instance_id, request, queued_at) VALUES (?, ?, ?)
       ON CONFLICT (instance_id) DO UPDATE SET request = excluded.request, queued_at = excluded.queued_at`,
    )
    .run(request.instanceId, encodePendingStart(request), request.now);
}

export function readPendingStart(connection: Connection, instanceId: string): PendingStart | undefined {
  const row = connection.statement('SELECT request, queued_at FROM pending_starts WHERE instance_id = ?').get(instanceId) as
    { request: string; queued_at: number } | undefined;
  return row === undefined ? undefined : decodePendingStart(instanceId, row.request, row.queued_at);
}

/** Takes the instance's pending start out of the queue, to begin it; call in the transaction that made the instance finish. */
export function takePendingStart(connection: Connection, instanceId: string, now: number): StartRequest | undefined {
  const pending = readPendingStart(connection, instanceId);
  if (pending === undefined) return undefined;
  connection.statement('DELETE FROM pending_starts WHERE instance_id = ?').run(instanceId);
  return pendingStartRequest(pending, now);
}
