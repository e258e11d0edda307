/**
 * @module sqlite/store
 * The embedded store: one SQLite file, shareable by several OS processes on
 * one machine. This module wires the Store interface to the files that own
 * each concept (schema, instances, queues, purge).
 *
 * What must hold:
 * - Reads run at once; writes issued in the same tick share one transaction
 *   (group-commit.ts), each in its own savepoint, so each call is still
 *   atomic on its own and calls from one process never interleave.
 * - Defaults favour durability: WAL with synchronous=FULL survives power
 *   loss, and a 10 s busy timeout lets processes queue for the write lock
 *   instead of failing.
 * - A fault of the file (full, read-only, corrupt, I/O, cannot open) leaves
 *   every method as a StoreUnavailableError naming the file (faults.ts), and
 *   the outcome of every write feeds checkHealth() (health.ts).
 *
 * @example
 * const store = createSqliteStore({ path: './.perdure/perdure.db' });
 * await store.migrate();
 */
import { PerdureError } from '../../model/errors.ts';
import { HealthMonitor } from '../health.ts';
import type { Backlog, Store } from '../store.ts';
import { abandonActivities, claimActivities, completeActivities, heartbeatActivities, renewActivityLeases } from './activity-queue.ts';
import { toInstanceRecord } from './codec.ts';
import { openConnection, type Connection, type ConnectionOptions } from './database.ts';
import { toStoreFault } from './faults.ts';
import type { SqliteStoreOptions } from './options.ts';
import { readHistory, readInstanceRow, sendMessage, startInstance } from './instances.ts';
import { countInstancesByStatus, listInstances } from './list-instances.ts';
import { commitOrchestrations } from './orchestration-commit.ts';
import { abandonOrchestrations, claimOrchestrations } from './orchestration-queue.ts';
import { readPendingStart } from './pending-starts.ts';
import { purge } from './purge.ts';
import { takeTombstone } from './tombstones.ts';
import { listSchedules, writeSchedule } from './schedules.ts';
import { GroupCommitter } from './group-commit.ts';
import { assertKnownSchemaVersion, migrate } from './schema.ts';
import { findUnrunnableNames } from './unrunnable-names.ts';
import { assertSoundFile, DEFAULT_QUICK_CHECK_MAX_BYTES, prepareStoreFile, type CheckedFile } from './store-file.ts';

export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

export function createSqliteStore(options: SqliteStoreOptions): Store {
  const path = options.path;
  const description = describe(path);
  const synchronous = options.synchronous ?? 'full';
  const connection = openChecked(
    { path, synchronous, busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, threadWriteLock: options.threadWriteLock },
    description,
    options.quickCheckMaxBytes ?? DEFAULT_QUICK_CHECK_MAX_BYTES,
  );
  const db = (): Connection => {
    if (!connection.isOpen) throw new PerdureError(`The store ${description} is closed.`);
    return connection;
  };
  const group = new GroupCommitter(db, synchronous === 'full');
  const health = new HealthMonitor(() =>
    group
      .run(() => void db().statement('UPDATE store_probe SET writes = writes + 1').run())
      .catch((error: unknown) => {
        throw toStoreFault(error, description);
      }),
  );
  // Faults of the file become StoreUnavailableError; every write's outcome tells the health monitor.
  const write = <T>(work: () => Promise<T>): Promise<T> =>
    work().then(
      (value) => {
        health.wrote();
        return value;
      },
      (error: unknown) => {
        throw health.failed(toStoreFault(error, description));
      },
    );
  const read = async <T>(work: () => T): Promise<T> => {
    try {
      return work();
    } catch (error) {
      throw health.failed(toStoreFault(error, description));
    }
  };
  return {
    description,
    // Not a write for health: an up-to-date store's migration writes nothing.
    migrate: () => read(() => migrate(db(), path)),
    close: async () => connection.close(),
    checkHealth: () => health.check(),
    createInstances: (requests) => write(() => group.run(() => db().write(() => requests.map((request) => startInstance(db(), request))))),
    send: (messages) => write(() => group.run(() => db().write(() => messages.map((message) => sendMessage(db(), message))))),
    getInstance: (instanceId) =>
      read(() => {
        const row = readInstanceRow(db(), instanceId);
        return row === undefined ? undefined : toInstanceRecord(row);
      }),
    getPendingStart: (instanceId) => read(() => readPendingStart(db(), instanceId)),
    releaseInstanceId: (instanceId) => write(() => group.run(() => db().write(() => takeTombstone(db(), instanceId)))),
    listSchedules: () => read(() => listSchedules(db())),
    writeSchedule: (scheduleWrite) => write(() => group.run(() => db().write(() => writeSchedule(db(), scheduleWrite)))),
    listInstances: (query) => read(() => listInstances(db(), query)),
    getHistory: (instanceId) => read(() => readHistory(db(), instanceId)),
    countInstancesByStatus: () => read(() => countInstancesByStatus(db())),
    purge: (filter) => write(() => purge(db, filter)),
    claimOrchestrations: (claim) => write(() => group.run(() => claimOrchestrations(db(), claim), { durable: false })),
    commitOrchestrations: (commits) => write(() => group.run(() => commitOrchestrations(db(), commits))),
    abandonOrchestrations: (items, options) =>
      write(() =>
        group.run(() => abandonOrchestrations(db(), items, options?.delivered ?? false, options?.retryAt ?? 0), { durable: false }),
      ),
    claimActivities: (claim) => write(() => group.run(() => claimActivities(db(), claim), { durable: false })),
    completeActivities: (completions) => write(() => group.run(() => completeActivities(db(), completions))),
    abandonActivities: (items) => write(() => group.run(() => abandonActivities(db(), items), { durable: false })),
    renewActivityLeases: (items, expiresAt) =>
      write(() => group.run(() => renewActivityLeases(db(), items, expiresAt), { durable: false })),
    // Durable: the details must outlive the host (a retry starts from them).
    heartbeatActivities: (beats) => write(() => group.run(() => heartbeatActivities(db(), beats))),
    nextWakeAt: (now) => read(() => nextWakeAt(db(), now)),
    countBacklog: (now) => read(() => countBacklog(db(), now)),
    findUnrunnableNames: (runnable, now) => read(() => findUnrunnableNames(db(), runnable, now)),
  };
}

/**
 * Opens the file and refuses it, with one line naming it and the cause, when
 * it is empty, unreadable, corrupt or written by a newer Perdure.
 */
function openChecked(options: ConnectionOptions, description: string, quickCheckMaxBytes: number): Connection {
  const { path } = options;
  if (path !== ':memory:') prepareStoreFile(path, description);
  let connection: Connection | undefined;
  try {
    connection = openConnection(options);
    if (path !== ':memory:') assertSoundFile(path, checkedFile(connection), description, quickCheckMaxBytes);
    assertKnownSchemaVersion(connection, path);
    return connection;
  } catch (error) {
    connection?.close();
    throw toStoreFault(error, description);
  }
}

function checkedFile(connection: Connection): CheckedFile {
  return {
    pragma: (source) => connection.pragma(source),
    tables: () => connection.statement("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[],
    touch: (table) => void connection.statement(`SELECT * FROM "${table.replaceAll('"', '""')}" LIMIT 1`).get(),
  };
}

function describe(path: string): string {
  return `sqlite:${path}`;
}

/** Earliest future visibility or lease expiry; each arm is one index seek. */
/** Each arm walks a visibility index over the rows visible now (and probes instances by key). */
function countBacklog(connection: Connection, now: number): Backlog {
  const row = connection
    .statement(
      `SELECT
         (SELECT count(DISTINCT m.instance_id) FROM inbox m JOIN instances i ON i.instance_id = m.instance_id
          WHERE m.visible_at <= @now AND i.lease_expires_at <= @now) AS orchestrations,
         (SELECT count(*) FROM activities WHERE visible_at <= @now AND lease_expires_at <= @now) AS activities,
         (SELECT count(*) FROM inbox WHERE visible_at <= @now AND json_extract(event, '$.type') = 'TimerFired') AS timers`,
    )
    .get({ now }) as Backlog;
  return { orchestrations: row.orchestrations, activities: row.activities, timers: row.timers };
}

function nextWakeAt(connection: Connection, now: number): number | undefined {
  const next = connection
    .statement(
      `SELECT MIN(t) FROM (
         SELECT MIN(visible_at) AS t FROM inbox WHERE visible_at > @now
         UNION ALL SELECT MIN(visible_at) FROM activities WHERE visible_at > @now
         UNION ALL SELECT MIN(lease_expires_at) FROM instances WHERE lease_expires_at > 0 AND lease_expires_at > @now
         UNION ALL SELECT MIN(lease_expires_at) FROM activities WHERE lease_expires_at > 0 AND lease_expires_at > @now
       )`,
    )
    .pluck()
    .get({ now }) as number | null;
  return next ?? undefined;
}
