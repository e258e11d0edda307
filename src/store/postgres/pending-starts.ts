/**
 * @module postgres/pending-starts
 * Begins `queueLatest`'s pending starts in PostgreSQL: the commit that ends
 * an instance takes the start queued behind it and begins it, in the
 * commit's transaction (the instance row is already locked by the commit).
 *
 * What must hold: a pending row is deleted by the statement that reads it
 * (DELETE ... RETURNING), so it is begun once, and only ever with the
 * instance it was queued behind already finished.
 */
import { decodePendingStart, pendingStartRequest } from '../pending-start.ts';
import type { PendingStart } from '../store.ts';
import type { Database, Sql } from './database.ts';
import { startInstances } from './instances.ts';

interface PendingRow {
  readonly instance_id: string;
  readonly request: string;
  readonly queued_at: number;
}

/** Begins the pending starts of the instances that these commits ended; call inside the commit's transaction. */
export async function beginPendingStarts(sql: Sql, finished: readonly string[], now: number, channel: string): Promise<void> {
  if (finished.length === 0) return;
  const rows = await sql.rows<PendingRow>('DELETE FROM pending_starts WHERE instance_id = ANY($1::text[]) RETURNING *', [finished], {
    prepare: true,
  });
  if (rows.length === 0) return;
  const requests = rows.map((row) => pendingStartRequest(decodePendingStart(row.instance_id, row.request, row.queued_at), now));
  await startInstances(sql, requests, channel);
}

export async function readPendingStart(db: Database, instanceId: string): Promise<PendingStart | undefined> {
  const [row] = await db.statement<PendingRow>('SELECT * FROM pending_starts WHERE instance_id = $1', [instanceId], { idempotent: true });
  return row === undefined ? undefined : decodePendingStart(row.instance_id, row.request, row.queued_at);
}
