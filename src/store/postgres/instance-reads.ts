/**
 * @module postgres/instance-reads
 * Owns point reads of instance rows. Reads issued in the same tick share one
 * query (`instance_id = ANY(...)`): a host with a thousand clients waiting
 * for their instances would otherwise spend its whole pool on one-row
 * round trips, and its workers would queue behind them.
 *
 * What must hold: every caller gets the row as of a moment after its call
 * (or undefined), exactly as with a query of its own; an error fails every
 * read of its batch, never another batch.
 */
import type { InstanceRow } from './codec.ts';
import type { Database } from './database.ts';

const MAX_BATCH = 500;

/** The row columns, named: a prepared statement must not use `*` (see StatementOptions). */
const COLUMNS = `instance_id, name, execution_id, runtime_status, input, output, custom_status, failure,
  parent_instance_id, created_at, updated_at, completed_at, history_length, lease_token`;

interface Pending {
  readonly instanceId: string;
  readonly resolve: (row: InstanceRow | undefined) => void;
  readonly reject: (error: unknown) => void;
}

export function createInstanceReader(db: Database): (instanceId: string) => Promise<InstanceRow | undefined> {
  let queue: Pending[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    for (let start = 0; start < batch.length; start += MAX_BATCH) void readBatch(db, batch.slice(start, start + MAX_BATCH));
  };
  return (instanceId) =>
    new Promise((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ instanceId, resolve, reject });
    });
}

async function readBatch(db: Database, batch: readonly Pending[]): Promise<void> {
  try {
    const ids = [...new Set(batch.map((pending) => pending.instanceId))];
    const options = { idempotent: true, prepare: true };
    const rows =
      ids.length === 1
        ? await db.statement<InstanceRow>(`SELECT ${COLUMNS} FROM instances WHERE instance_id = $1`, ids, options)
        : await db.statement<InstanceRow>(`SELECT ${COLUMNS} FROM instances WHERE instance_id = ANY($1::text[])`, [ids], options);
    const byId = new Map(rows.map((row) => [row.instance_id, row]));
    for (const pending of batch) pending.resolve(byId.get(pending.instanceId));
  } catch (error) {
    for (const pending of batch) pending.reject(error);
  }
}
