/**
 * @module postgres/schema
 * Owns the table layout of a PostgreSQL store and its versioned migrations.
 * The version lives in the `schema_version` table of the store's schema, so
 * it commits or rolls back with the migration that sets it.
 *
 * What must hold:
 * - Migrations only ever get appended; a released step is never edited.
 * - migrate() runs in one transaction under a transaction-level advisory lock
 *   keyed by the schema name, so when several hosts start at once one
 *   migrates and the others wait, then see the new version and skip.
 * - A schema written by a newer Perdure is refused (SchemaVersionError), never
 *   half-understood.
 * - Times are bigint epoch ms from the caller's clock (no timestamptz, no now()).
 * - Payloads are text holding JSON, never jsonb: the store does not look
 *   inside them, and text keeps them byte for byte (jsonb would reject \u0000).
 * - Instance IDs use the "C" collation: ordering and prefix matches compare
 *   bytes, as SQLite's BINARY does, whatever the database's locale.
 * - Inbox and activity ids come from identity sequences, which never hand out
 *   a value twice: an activity's completion is fenced by (id, lease_token).
 */
import { createHash } from 'node:crypto';
import { SchemaVersionError } from '../../model/errors.ts';
import type { Database, Sql } from './database.ts';

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
        instance_id        text COLLATE "C" PRIMARY KEY,
        name               text NOT NULL,
        execution_id       text NOT NULL,
        runtime_status     text NOT NULL,
        input              text,
        output             text,
        custom_status      text,
        failure            text,
        parent_instance_id text,
        created_at         bigint NOT NULL,
        updated_at         bigint NOT NULL,
        completed_at       bigint,
        history_length     integer NOT NULL DEFAULT 0,
        lease_owner        text,
        lease_expires_at   bigint NOT NULL DEFAULT 0,
        lease_token        bigint NOT NULL DEFAULT 0
      );
      CREATE INDEX instances_by_created ON instances (created_at, instance_id);
      CREATE INDEX instances_by_status ON instances (runtime_status, created_at, instance_id);
      CREATE INDEX instances_by_lease ON instances (lease_expires_at) WHERE lease_expires_at > 0;

      -- One row per commit: a JSON array of the events that commit appended, seq = index of its first event.
      CREATE TABLE history (
        instance_id text COLLATE "C" NOT NULL,
        seq         integer NOT NULL,
        events      text NOT NULL,
        PRIMARY KEY (instance_id, seq)
      );

      CREATE TABLE inbox (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        instance_id  text COLLATE "C" NOT NULL,
        execution_id text,
        visible_at   bigint NOT NULL,
        is_control   boolean NOT NULL,
        event        text NOT NULL
      );
      CREATE INDEX inbox_by_visible ON inbox (visible_at);
      CREATE INDEX inbox_by_instance ON inbox (instance_id, id);

      CREATE TABLE activities (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        instance_id      text COLLATE "C" NOT NULL,
        execution_id     text NOT NULL,
        task_id          integer NOT NULL,
        name             text NOT NULL,
        input            text,
        visible_at       bigint NOT NULL,
        attempt          integer NOT NULL DEFAULT 0,
        lease_owner      text,
        lease_expires_at bigint NOT NULL DEFAULT 0,
        lease_token      bigint NOT NULL DEFAULT 0
      );
      CREATE INDEX activities_by_visible ON activities (visible_at);
      CREATE INDEX activities_by_lease ON activities (lease_expires_at) WHERE lease_expires_at > 0;
      CREATE INDEX activities_by_task ON activities (instance_id, execution_id, task_id);
    `,
  },
  {
    version: 2,
    description: 'HOT updates of instance rows',
    // Every turn updates its instance row at least twice (claim, commit). An
    // update that changes no indexed column, and finds room on its page, is a
    // HOT update: no new index entries, and the old version is pruned when the
    // page is next read, without waiting for VACUUM. The lease index made
    // every claim and commit a non-HOT update (nextWakeAt no longer needs it);
    // fillfactor keeps room on the pages for the new versions.
    sql: `
      DROP INDEX instances_by_lease;
      ALTER TABLE instances SET (fillfactor = 90);
    `,
  },
  {
    version: 3,
    description: 'event IDs of raised events, and the write probe',
    // event_ids: the IDs of events raised with one (raiseEvent's eventId, HTTP Idempotency-Key),
    // kept with their instance until it is purged or replaced, so a retried raise is delivered once.
    // store_probe: one row the health check rewrites to learn whether the database still takes writes.
    sql: `
      CREATE TABLE event_ids (
        instance_id text COLLATE "C" NOT NULL,
        event_id    text COLLATE "C" NOT NULL,
        fingerprint text NOT NULL,
        PRIMARY KEY (instance_id, event_id)
      );
      CREATE TABLE store_probe (id integer PRIMARY KEY CHECK (id = 1), writes bigint NOT NULL);
      INSERT INTO store_probe (id, writes) VALUES (1, 0);
    `,
  },
  {
    version: 4,
    description: 'turn deliveries, for poison protection',
    // How many times the instance's pending turn was handed out without a commit since (see the
    // SQLite migration). Not indexed, so claims and commits stay HOT updates; adding a column with a
    // constant default rewrites nothing.
    sql: `ALTER TABLE instances ADD COLUMN deliveries integer NOT NULL DEFAULT 0;`,
  },
  {
    version: 5,
    description: 'instance counts by status',
    // Counts by status without scanning the instances (decision 0023). A counter row per status
    // updated by every commit would serialize concurrent commits on it, and deadlock group commits
    // that touch statuses in different orders; so each status change only appends a delta row
    // (inserts never wait for each other), and instance-counts.ts folds the deltas into one row per
    // status from time to time. The trigger function keeps the schema it was created in.
    sql: `
      CREATE TABLE instance_count_deltas (runtime_status text NOT NULL, delta bigint NOT NULL);
      INSERT INTO instance_count_deltas (runtime_status, delta) SELECT runtime_status, count(*) FROM instances GROUP BY runtime_status;
      CREATE FUNCTION count_instance_statuses() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
      BEGIN
        IF TG_OP <> 'INSERT' THEN INSERT INTO instance_count_deltas (runtime_status, delta) VALUES (OLD.runtime_status, -1); END IF;
        IF TG_OP <> 'DELETE' THEN INSERT INTO instance_count_deltas (runtime_status, delta) VALUES (NEW.runtime_status, 1); END IF;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER instance_counts_insert_delete AFTER INSERT OR DELETE ON instances
        FOR EACH ROW EXECUTE FUNCTION count_instance_statuses();
      CREATE TRIGGER instance_counts_update AFTER UPDATE OF runtime_status ON instances
        FOR EACH ROW WHEN (OLD.runtime_status IS DISTINCT FROM NEW.runtime_status) EXECUTE FUNCTION count_instance_statuses();
    `,
  },
  {
    version: 6,
    description: 'start request IDs and input digests, pending starts, schedules',
    // See the SQLite migration. The new instance columns are not indexed, so claims and commits stay HOT.
    sql: `
      ALTER TABLE instances ADD COLUMN request_id text;
      ALTER TABLE instances ADD COLUMN input_hash text;
      CREATE TABLE pending_starts (
        instance_id text COLLATE "C" PRIMARY KEY,
        request     text NOT NULL,
        queued_at   bigint NOT NULL
      );
      CREATE TABLE schedules (
        name       text COLLATE "C" PRIMARY KEY,
        definition text NOT NULL,
        state      text NOT NULL,
        version    bigint NOT NULL,
        updated_at bigint NOT NULL
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
      ALTER TABLE activities ADD COLUMN timeout_ms bigint;
      ALTER TABLE activities ADD COLUMN heartbeat_timeout_ms bigint;
      ALTER TABLE activities ADD COLUMN deadline_at bigint;
      ALTER TABLE activities ADD COLUMN heartbeat_deadline_at bigint;
      ALTER TABLE activities ADD COLUMN heartbeat_details text;
    `,
  },
  {
    version: 11,
    description: 'ID tombstones',
    // See the SQLite migration. keep_tombstone is not indexed (claims and commits stay HOT); a constant
    // default makes the ADD COLUMN a catalogue change, with no rewrite of the table.
    sql: `
      ALTER TABLE instances ADD COLUMN keep_tombstone boolean NOT NULL DEFAULT false;
      CREATE TABLE instance_tombstones (
        instance_id    text COLLATE "C" PRIMARY KEY,
        name           text NOT NULL,
        execution_id   text NOT NULL,
        runtime_status text NOT NULL,
        created_at     bigint NOT NULL,
        purged_at      bigint NOT NULL
      );
    `,
  },
  {
    version: 13,
    description: 'starts of absent IDs in one round trip',
    // Decision 0039. The common start (every ID in the batch new) as one autocommit call instead of BEGIN,
    // INSERT, tombstone check, message INSERT and COMMIT. The tombstone check must be a statement of its
    // own, after the INSERT, with a fresh snapshot (tombstones.ts): a VOLATILE PL/pgSQL function takes a
    // new snapshot for each statement it runs, which a single SQL statement cannot do. Anything else (an
    // ID that exists, a tombstone) rolls the call's writes back (the block's subtransaction) and returns
    // NULL; the caller then runs the full start transaction, which decides with the conflict policies.
    // It returns instead of raising because pg's pool destroys a connection whose query failed.
    sql: `
      CREATE FUNCTION perdure_start_absent(
        ids text[], names text[], execution_ids text[], inputs text[], parents text[], created bigint[],
        pending text, request_ids text[], input_hashes text[], lease_owners text[], lease_expiries bigint[],
        keep_tombstones boolean[], m_instance_ids text[], m_execution_ids text[], m_visible_at bigint[],
        m_control boolean[], m_events text[], channel text, payload text, notify boolean
      ) RETURNS json LANGUAGE plpgsql AS $fn$
      DECLARE
        created_rows json;
        created_count integer;
        message_ids json;
      BEGIN
        WITH inserted AS (
          INSERT INTO instances (instance_id, name, execution_id, runtime_status, input, parent_instance_id,
                                 created_at, updated_at, history_length, request_id, input_hash, keep_tombstone,
                                 lease_owner, lease_expires_at, lease_token, deliveries)
          SELECT r.instance_id, r.name, r.execution_id, pending, r.input, r.parent_instance_id, r.created_at,
                 r.created_at, 0, r.request_id, r.input_hash, r.keep_tombstone, r.lease_owner, r.lease_expires_at,
                 CASE WHEN r.lease_owner IS NULL THEN 0 ELSE 1 END, CASE WHEN r.lease_owner IS NULL THEN 0 ELSE 1 END
          FROM unnest(ids, names, execution_ids, inputs, parents, created, request_ids, input_hashes, lease_owners,
                      lease_expiries, keep_tombstones)
            AS r(instance_id, name, execution_id, input, parent_instance_id, created_at, request_id, input_hash,
                 lease_owner, lease_expires_at, keep_tombstone)
          ORDER BY r.instance_id COLLATE "C"
          ON CONFLICT (instance_id) DO NOTHING
          RETURNING *)
        SELECT count(*), json_agg(inserted) INTO created_count, created_rows FROM inserted;
        IF created_count < cardinality(ids) THEN
          RAISE EXCEPTION 'perdure: an instance in the batch exists' USING ERRCODE = 'PD001';
        END IF;
        PERFORM 1 FROM instance_tombstones WHERE instance_id = ANY(ids);
        IF FOUND THEN
          RAISE EXCEPTION 'perdure: an ID in the batch has a tombstone' USING ERRCODE = 'PD001';
        END IF;
        WITH queued AS (
          INSERT INTO inbox (instance_id, execution_id, visible_at, is_control, event)
          SELECT m.instance_id, m.execution_id, m.visible_at, m.is_control, m.event
          FROM unnest(m_instance_ids, m_execution_ids, m_visible_at, m_control, m_events)
            WITH ORDINALITY AS m(instance_id, execution_id, visible_at, is_control, event, ord)
          ORDER BY m.ord
          RETURNING id)
        SELECT json_agg(id ORDER BY id) INTO message_ids FROM queued;
        IF notify THEN
          PERFORM pg_notify(channel, payload);
        END IF;
        RETURN json_build_object('rows', created_rows, 'ids', message_ids);
      EXCEPTION WHEN SQLSTATE 'PD001' THEN
        RETURN NULL;
      END
      $fn$;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Creates the schema if missing and applies every missing migration, in one transaction. */
export async function migrate(db: Database, schema: string, description: string): Promise<void> {
  await db.transaction(async (sql) => {
    await sql.rows('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(schema)]);
    await createSchemaIfMissing(sql, schema);
    const stored = await readSchemaVersion(sql, schema);
    const current = stored ?? 0;
    assertKnownVersion(current, description);
    if (current === LATEST_SCHEMA_VERSION) return;
    // The session's search_path already names the schema; set it again so the
    // tables are created in it even if the path was computed before it existed.
    await sql.rows(`SET LOCAL search_path TO "${schema}"`);
    if (stored === undefined) {
      await sql.rows('CREATE TABLE schema_version (version integer NOT NULL); INSERT INTO schema_version VALUES (0)');
    }
    for (const step of MIGRATIONS) {
      if (step.version > current) await sql.rows(step.sql);
    }
    await sql.rows('UPDATE schema_version SET version = $1', [LATEST_SCHEMA_VERSION]);
  });
}

/** The version stored in the schema, or undefined if the schema has no version table yet. */
export async function readSchemaVersion(sql: Sql, schema: string): Promise<number | undefined> {
  const [table] = await sql.rows<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [`"${schema}".schema_version`]);
  if (table?.found == null) return undefined;
  const [row] = await sql.rows<{ version: number }>(`SELECT version FROM "${schema}".schema_version`);
  return row?.version ?? 0;
}

function assertKnownVersion(found: number, description: string): void {
  if (found > LATEST_SCHEMA_VERSION) {
    throw new SchemaVersionError(
      `The store ${description} has schema version ${found}, but this version of Perdure supports ` +
        `schema versions up to ${LATEST_SCHEMA_VERSION}. Upgrade Perdure to open it.`,
    );
  }
}

/**
 * CREATE SCHEMA checks the CREATE privilege before IF NOT EXISTS, so look
 * first: a host whose role may only use an existing schema still starts.
 */
async function createSchemaIfMissing(sql: Sql, schema: string): Promise<void> {
  const [existing] = await sql.rows('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (existing === undefined) await sql.rows(`CREATE SCHEMA "${schema}"`);
}

/** A 64-bit advisory lock key per schema, so stores in different schemas never wait for each other. */
function lockKey(schema: string): string {
  return createHash('sha256').update(`perdure:migrate:${schema}`).digest().readBigInt64BE(0).toString();
}
