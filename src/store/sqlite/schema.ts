/**
 * @module sqlite/schema
 * Owns the table layout of a SQLite store file and its versioned migrations.
 * The version lives in `PRAGMA user_version` (in the file header, so it
 * commits or rolls back with the migration that sets it).
 *
 * What must hold:
 * - Migrations only ever get appended; a released step is never edited.
 * - migrate() reads the version and applies the missing steps inside one
 *   `BEGIN IMMEDIATE` transaction, so when several processes open a new file
 *   at once, one migrates and the others then see the new version and skip.
 * - A file written by a newer Perdure is refused (SchemaVersionError), never
 *   half-understood.
 * - Inbox and activity ids use AUTOINCREMENT so an id is never reused: an
 *   activity's completion is fenced by (id, lease_token), and a reused id
 *   could start again at the same token.
 */
import { SchemaVersionError } from '../../model/errors.ts';
import type { Connection } from './database.ts';

interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'instances, history, inbox and activities',
    sql: `
      CREATE TABLE instances (
        instance_id        TEXT PRIMARY KEY,
        name               TEXT NOT NULL,
        execution_id       TEXT NOT NULL,
        runtime_status     TEXT NOT NULL,
        input              TEXT,
        output             TEXT,
        custom_status      TEXT,
        failure            TEXT,
        parent_instance_id TEXT,
        created_at         INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL,
        completed_at       INTEGER,
        history_length     INTEGER NOT NULL DEFAULT 0,
        lease_owner        TEXT,
        lease_expires_at   INTEGER NOT NULL DEFAULT 0,
        lease_token        INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX instances_by_created ON instances (created_at, instance_id);
      CREATE INDEX instances_by_status ON instances (runtime_status, created_at, instance_id);
      CREATE INDEX instances_by_lease ON instances (lease_expires_at) WHERE lease_expires_at > 0;

      -- One row per commit: a JSON array of the events that commit appended, seq = index of its first event.
      CREATE TABLE history (
        instance_id TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        events      TEXT NOT NULL,
        PRIMARY KEY (instance_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE inbox (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        instance_id  TEXT NOT NULL,
        execution_id TEXT,
        visible_at   INTEGER NOT NULL,
        is_control   INTEGER NOT NULL,
        event        TEXT NOT NULL
      );
      CREATE INDEX inbox_by_visible ON inbox (visible_at, instance_id, is_control);
      CREATE INDEX inbox_by_instance ON inbox (instance_id, id);

      CREATE TABLE activities (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        instance_id      TEXT NOT NULL,
        execution_id     TEXT NOT NULL,
        task_id          INTEGER NOT NULL,
        name             TEXT NOT NULL,
        input            TEXT,
        visible_at       INTEGER NOT NULL,
        attempt          INTEGER NOT NULL DEFAULT 0,
        lease_owner      TEXT,
        lease_expires_at INTEGER NOT NULL DEFAULT 0,
        lease_token      INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX activities_by_visible ON activities (visible_at);
      CREATE INDEX activities_by_lease ON activities (lease_expires_at) WHERE lease_expires_at > 0;
      CREATE INDEX activities_by_task ON activities (instance_id, execution_id, task_id);
    `,
  },
  {
    version: 2,
    description: 'history as a rowid table',
    // A history row holds a whole commit (about 1 KB for a small orchestration). In a WITHOUT ROWID
    // table those rows live in the primary-key B-tree, so inserting one at a random instance ID
    // splits and rewrites pages of big rows (about 30 us a row); in a rowid table the row is
    // appended and only a small key goes into the index (about 5 us).
    sql: `
      CREATE TABLE history_rowid (
        instance_id TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        events      TEXT NOT NULL,
        PRIMARY KEY (instance_id, seq)
      );
      INSERT INTO history_rowid (instance_id, seq, events) SELECT instance_id, seq, events FROM history ORDER BY instance_id, seq;
      DROP TABLE history;
      ALTER TABLE history_rowid RENAME TO history;
    `,
  },
  {
    version: 3,
    description: 'event IDs of raised events, and the write probe',
    // event_ids: the IDs of events raised with one (raiseEvent's eventId, HTTP Idempotency-Key),
    // kept with their instance until it is purged or replaced, so a retried raise is delivered once.
    // store_probe: one row the health check rewrites to learn whether the file still takes writes.
    sql: `
      CREATE TABLE event_ids (
        instance_id TEXT NOT NULL,
        event_id    TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        PRIMARY KEY (instance_id, event_id)
      ) WITHOUT ROWID;
      CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), writes INTEGER NOT NULL);
      INSERT INTO store_probe (id, writes) VALUES (1, 0);
    `,
  },
  {
    version: 4,
    description: 'turn deliveries, for poison protection',
    // How many times the instance's pending turn was handed out (claimed or leased at start) without
    // a commit since: a claim adds one, a commit resets it. Past the host's maxDeliveries the worker
    // fails the instance instead of running the turn again.
    sql: `ALTER TABLE instances ADD COLUMN deliveries INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 5,
    description: 'instance counts by status',
    // The dashboard's counts and the status gauge must not scan a million rows. Triggers keep one row
    // per status in the transaction that inserts, updates or deletes an instance, whatever code path
    // does it (decision 0023). SQLite has one writer at a time, so the counter rows are no hot spot.
    sql: `
      CREATE TABLE instance_counts (runtime_status TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO instance_counts SELECT runtime_status, count(*) FROM instances GROUP BY runtime_status;
      CREATE TRIGGER count_ins AFTER INSERT ON instances BEGIN
      INSERT INTO instance_counts VALUES (NEW.runtime_status, 1) ON CONFLICT DO UPDATE SET count = count + 1; END;
      CREATE TRIGGER count_del AFTER DELETE ON instances BEGIN
      UPDATE instance_counts SET count = count - 1 WHERE runtime_status = OLD.runtime_status; END;
      CREATE TRIGGER count_upd AFTER UPDATE OF runtime_status ON instances WHEN OLD.runtime_status IS NOT NEW.runtime_status BEGIN
      UPDATE instance_counts SET count = count - 1 WHERE runtime_status = OLD.runtime_status;
      INSERT INTO instance_counts VALUES (NEW.runtime_status, 1) ON CONFLICT DO UPDATE SET count = count + 1; END;
    `,
  },
  {
    version: 6,
    description: 'start request IDs and input digests, pending starts, schedules',
    // request_id / input_hash: what the start that created the execution sent (idempotent starts,
    // useExisting's input check). pending_starts: queueLatest's one start per ID, begun by the commit
    // that ends the live instance. schedules: definition and firing state as JSON, with a CAS version.
    sql: `
      ALTER TABLE instances ADD COLUMN request_id TEXT;
      ALTER TABLE instances ADD COLUMN input_hash TEXT;
      CREATE TABLE pending_starts (
        instance_id TEXT PRIMARY KEY,
        request     TEXT NOT NULL,
        queued_at   INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE schedules (
        name       TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        state      TEXT NOT NULL,
        version    INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 8,
    description: 'activity timeouts and heartbeats',
    // Per task (decision 0028): its timeouts, the start-to-close deadline fixed by its first claim,
    // the heartbeat deadline its last heartbeat stored, and that heartbeat's details (JSON). Kept on
    // the row so that a deadline holds even when the host that ran the task is gone: the lease
    // ends by the deadline, and the host that claims the task next fails it instead of running it.
    sql: `
      ALTER TABLE activities ADD COLUMN timeout_ms INTEGER;
      ALTER TABLE activities ADD COLUMN heartbeat_timeout_ms INTEGER;
      ALTER TABLE activities ADD COLUMN deadline_at INTEGER;
      ALTER TABLE activities ADD COLUMN heartbeat_deadline_at INTEGER;
      ALTER TABLE activities ADD COLUMN heartbeat_details TEXT;
    `,
  },
  {
    version: 11,
    description: 'ID tombstones',
    // keep_tombstone: the start asked that a purge leave a tombstone (reuseStatuses: []). A purge copies
    // such rows into instance_tombstones in its transaction; a start checks there in its own (decision 0031).
    sql: `
      ALTER TABLE instances ADD COLUMN keep_tombstone INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE instance_tombstones (
        instance_id    TEXT PRIMARY KEY,
        name           TEXT NOT NULL,
        execution_id   TEXT NOT NULL,
        runtime_status TEXT NOT NULL,
        created_at     INTEGER NOT NULL,
        purged_at      INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function readSchemaVersion(connection: Connection): number {
  return Number(connection.pragma('user_version'));
}

/** Throws SchemaVersionError if the file was written by a newer Perdure. */
export function assertKnownSchemaVersion(connection: Connection, path: string): void {
  const found = readSchemaVersion(connection);
  if (found > LATEST_SCHEMA_VERSION) {
    throw new SchemaVersionError(
      `The store file '${path}' has schema version ${found}, but this version of Perdure supports ` +
        `schema versions up to ${LATEST_SCHEMA_VERSION}. Upgrade Perdure to open it.`,
    );
  }
}

/** Applies every missing migration (up to `target`, for tests) in one write transaction; a no-op when up to date. */
export function migrate(connection: Connection, path: string, target = LATEST_SCHEMA_VERSION): void {
  connection.write(() => {
    assertKnownSchemaVersion(connection, path);
    const current = readSchemaVersion(connection);
    for (const step of MIGRATIONS) {
      if (step.version > current && step.version <= target) connection.exec(step.sql);
    }
    if (current < target) connection.pragma(`user_version = ${target}`);
  });
}
