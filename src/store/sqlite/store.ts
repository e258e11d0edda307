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
 *
 * @example
 * const store = createSqliteStore({ path: './.perdure/perdure.db' });
 * await store.migrate();
 */
import { PerdureError } from '../../model/errors.ts';
import type { Store } from '../store.ts';
import { abandonActivities, claimActivities, completeActivities, renewActivityLeases } from './activity-queue.ts';
import { toInstanceRecord } from './codec.ts';
import { openConnection, type Connection } from './database.ts';
import type { SqliteStoreOptions } from './options.ts';
import { readHistory, readInstanceRow, sendMessage, startInstance } from './instances.ts';
import { listInstances } from './list-instances.ts';
import { commitOrchestrations } from './orchestration-commit.ts';
import { abandonOrchestrations, claimOrchestrations } from './orchestration-queue.ts';
import { purge } from './purge.ts';
import { GroupCommitter } from './group-commit.ts';
import { assertKnownSchemaVersion, migrate } from './schema.ts';

export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

export function createSqliteStore(options: SqliteStoreOptions): Store {
  const path = options.path;
  const synchronous = options.synchronous ?? 'full';
  const connection = openConnection({
    path,
    synchronous,
    busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
  });
  try {
    assertKnownSchemaVersion(connection, path);
  } catch (error) {
    connection.close();
    throw error;
  }
  const db = (): Connection => {
    if (!connection.isOpen) throw new PerdureError(`The store ${describe(path)} is closed.`);
    return connection;
  };
  const group = new GroupCommitter(db, synchronous === 'full');
  return {
    description: describe(path),
    migrate: async () => migrate(db(), path),
    close: async () => connection.close(),
    createInstances: (requests) => group.run(() => db().write(() => requests.map((request) => startInstance(db(), request)))),
    send: (messages) => group.run(() => db().write(() => messages.map((message) => sendMessage(db(), message)))),
    getInstance: async (instanceId) => {
      const row = readInstanceRow(db(), instanceId);
      return row === undefined ? undefined : toInstanceRecord(row);
    },
    listInstances: async (query) => listInstances(db(), query),
    getHistory: async (instanceId) => readHistory(db(), instanceId),
    purge: async (filter) => purge(db(), filter),
    claimOrchestrations: (claim) => group.run(() => claimOrchestrations(db(), claim), { durable: false }),
    commitOrchestrations: (commits) => group.run(() => commitOrchestrations(db(), commits)),
    abandonOrchestrations: (items) => group.run(() => abandonOrchestrations(db(), items), { durable: false }),
    claimActivities: (claim) => group.run(() => claimActivities(db(), claim), { durable: false }),
    completeActivities: (completions) => group.run(() => completeActivities(db(), completions)),
    abandonActivities: (items) => group.run(() => abandonActivities(db(), items), { durable: false }),
    renewActivityLeases: (items, expiresAt) => group.run(() => renewActivityLeases(db(), items, expiresAt), { durable: false }),
    nextWakeAt: async (now) => nextWakeAt(db(), now),
  };
}

function describe(path: string): string {
  return `sqlite:${path}`;
}

/** Earliest future visibility or lease expiry; each arm is one index seek. */
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
