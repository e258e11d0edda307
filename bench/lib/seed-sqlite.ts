/**
 * @module bench/lib/seed-sqlite
 * Bulk-loads completed instances straight into a SQLite store file, in the
 * store's own schema (src/store/sqlite/schema.ts), for W6. It writes with
 * synchronous=OFF in large transactions: seeding is setup, not measured,
 * and a crash during it only loses a scratch file.
 *
 * What must hold: the store has been migrated and no host has it open. If
 * the schema gains a column this loader does not know, it stops with a
 * message instead of writing rows the engine would misread.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { expectedHello } from './bench-app.ts';
import {
  SEED_HISTORY_LENGTH,
  SEED_SPACING_MS,
  seedExecutionId,
  seedHistoryRows,
  seedInstanceId,
  type HistoryLayout,
} from './seed-events.ts';

const INSTANCE_COLUMNS = [
  'instance_id',
  'name',
  'execution_id',
  'runtime_status',
  'input',
  'output',
  'custom_status',
  'failure',
  'parent_instance_id',
  'created_at',
  'updated_at',
  'completed_at',
  'history_length',
  'lease_owner',
  'lease_expires_at',
  'lease_token',
];
const HISTORY_LAYOUTS: Record<HistoryLayout, readonly string[]> = {
  event: ['instance_id', 'seq', 'event'],
  commit: ['instance_id', 'seq', 'events'],
};
const BATCH = 25_000;

export function seedSqlite(path: string, count: number, before: number, progress: (done: number) => void): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    // Schema 4 added `deliveries` (default 0, which is right for a finished instance); schema 6 `request_id` and
    // `input_hash` (NULL: the seeded starts sent no request ID, and no input check applies to finished instances);
    // schema 11 `keep_tombstone` (default 0: the seeded starts kept the default reuse statuses).
    assertColumns(db, 'instances', [
      INSTANCE_COLUMNS,
      [...INSTANCE_COLUMNS, 'deliveries'],
      [...INSTANCE_COLUMNS, 'deliveries', 'request_id', 'input_hash'],
      [...INSTANCE_COLUMNS, 'deliveries', 'request_id', 'input_hash', 'keep_tombstone'],
    ]);
    const layout = assertColumns(db, 'history', [HISTORY_LAYOUTS.event, HISTORY_LAYOUTS.commit]) === 0 ? 'event' : 'commit';
    const insertInstance = db.prepare(
      `INSERT INTO instances (instance_id, name, execution_id, runtime_status, input, output, created_at, updated_at, completed_at, history_length)
       VALUES (?, 'HelloSequence', ?, 'Completed', ?, ?, ?, ?, ?, ${SEED_HISTORY_LENGTH})`,
    );
    const insertHistory = db.prepare(`INSERT INTO history (${HISTORY_LAYOUTS[layout].join(', ')}) VALUES (?, ?, ?)`);
    const insertBatch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const id = seedInstanceId(i);
        const createdAt = before - (count - i) * SEED_SPACING_MS;
        const completedAt = createdAt + 9;
        insertInstance.run(id, seedExecutionId(i), String(i), JSON.stringify(expectedHello(i)), createdAt, completedAt, completedAt);
        for (const row of seedHistoryRows(i, createdAt, layout)) insertHistory.run(id, row.seq, row.text);
      }
    });
    for (let from = 0; from < count; from += BATCH) {
      insertBatch(from, Math.min(count, from + BATCH));
      progress(Math.min(count, from + BATCH));
    }
    // No ANALYZE: the engine never runs it, so a store that grew for real has no statistics either.
    // Checkpoint with FULL so the file is fsync'd here: otherwise hundreds of MB of dirty pages
    // from the unsynced load would be flushed by the first fsync of the measured run.
    db.pragma('synchronous = FULL');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function countSqliteInstances(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return Number(db.prepare('SELECT count(*) FROM instances').pluck().get());
  } finally {
    db.close();
  }
}

/** Which of the known column sets the table has exactly; throws if none. */
function assertColumns(db: Database.Database, table: string, known: readonly (readonly string[])[]): number {
  const actual = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  const match = known.findIndex((columns) => columns.length === actual.length && columns.every((c) => actual.includes(c)));
  if (match === -1) {
    throw new Error(
      `W6 seeding: the SQLite table '${table}' (${actual.join(', ')}) matches none of the layouts ` +
        `bench/lib/seed-sqlite.ts knows (${known.map((k) => k.join(', ')).join(' | ')}). Update the seeder.`,
    );
  }
  return match;
}
