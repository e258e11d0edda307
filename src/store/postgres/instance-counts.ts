/**
 * @module postgres/instance-counts
 * Owns reading and folding the instance counts by status. Triggers on
 * `instances` (schema.ts, migration 5) append a delta row (+1 / -1 per
 * status) in the transaction that changes a status; a count is the sum of
 * the deltas per status, and folding replaces the deltas with one row per
 * status, so the table stays about as small as the number of statuses.
 *
 * What must hold:
 * - A read never scans the instances, and sees whole transactions only
 *   (the deltas of a commit are rows of that commit).
 * - Folding is one statement (delete what this snapshot sees, insert the
 *   sums), so readers see the same totals before and after it; deltas
 *   committed meanwhile are not in its snapshot and stay. At most one fold
 *   runs at a time per schema (a try-lock, never waited for).
 */
import { createHash } from 'node:crypto';
import { toInstanceCounts } from '../instance-page.ts';
import type { InstanceCounts } from '../store.ts';
import type { Database } from './database.ts';

/** Delta rows beyond which a read folds them before the next read. */
const FOLD_AFTER_ROWS = 1_000;

export async function countInstancesByStatus(db: Database, schema: string): Promise<InstanceCounts> {
  const rows = await db.statement<{ runtime_status: string; count: string; deltas: string }>(
    'SELECT runtime_status, sum(delta) AS count, count(*) AS deltas FROM instance_count_deltas GROUP BY runtime_status',
    [],
    { idempotent: true },
  );
  const deltas = rows.reduce((n, row) => n + Number(row.deltas), 0);
  if (deltas > FOLD_AFTER_ROWS + rows.length) await foldInstanceCounts(db, schema);
  return toInstanceCounts(rows.map((row) => [row.runtime_status, row.count]));
}

/** Replaces the deltas this snapshot sees with one row per status; skipped if another fold holds the lock. */
export async function foldInstanceCounts(db: Database, schema: string): Promise<void> {
  await db.transaction(async (sql) => {
    const [lock] = await sql.rows<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [foldLockKey(schema)]);
    if (lock?.locked !== true) return;
    await sql.rows(
      `WITH folded AS (DELETE FROM instance_count_deltas RETURNING runtime_status, delta)
       INSERT INTO instance_count_deltas (runtime_status, delta)
       SELECT runtime_status, sum(delta) FROM folded GROUP BY runtime_status HAVING sum(delta) <> 0`,
    );
  });
}

function foldLockKey(schema: string): string {
  return createHash('sha256').update(`perdure:fold-counts:${schema}`).digest().readBigInt64BE(0).toString();
}
