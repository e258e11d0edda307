/**
 * @module postgres/store
 * The shared store: one PostgreSQL database (one schema in it) that many
 * hosts use at once. This module wires the Store interface to the files that
 * own each concept (schema, instances, queues, purge, notifications).
 *
 * What must hold:
 * - Same semantics as the SQLite store for every method; the store contract
 *   suite runs against both.
 * - Every write method is one transaction (often one statement); batch
 *   methods share it between their units. Decisions that must not race (start
 *   if absent, the lease fence, status checks) are made on locked rows.
 * - SQL never reads a clock: every time comes from the caller.
 * - Work that another host could claim is announced with NOTIFY inside the
 *   transaction that queues it, so it is delivered exactly when it commits.
 * - Faults of the server's storage are StoreUnavailableError (database.ts,
 *   faults.ts), and every write's outcome feeds checkHealth() (health.ts).
 * - The queue tables are vacuumed by the store as it empties them
 *   (housekeeping.ts), so their dead rows never pile up waiting for autovacuum.
 *
 * @example
 * const store = createPostgresStore({ url: 'postgres://app@db/app', schema: 'perdure', poolSize: 20 });
 * await store.migrate();
 * const stop = store.onExternalWork?.(() => wakeWorkers());
 */
import { HealthMonitor } from '../health.ts';
import type { Backlog, Store } from '../store.ts';
import { abandonActivities, claimActivities, completeActivities, heartbeatActivities, renewActivityLeases } from './activity-queue.ts';
import { toInstanceRecord } from './codec.ts';
import { resolveSettings, type PostgresStoreOptions } from './config.ts';
import { openDatabase, type Database } from './database.ts';
import { createHousekeeper } from './housekeeping.ts';
import { countInstancesByStatus, foldInstanceCounts } from './instance-counts.ts';
import { createInstanceReader } from './instance-reads.ts';
import { createInstances } from './absent-starts.ts';
import { readHistory } from './instances.ts';
import { listInstances } from './list-instances.ts';
import { WorkListener } from './notifications.ts';
import { commitOrchestrations } from './orchestration-commit.ts';
import { abandonOrchestrations, claimOrchestrations } from './orchestration-queue.ts';
import { purge } from './purge.ts';
import { findUnrunnableNames } from './unrunnable-names.ts';
import { readPendingStart } from './pending-starts.ts';
import { listSchedules, writeSchedule } from './schedules.ts';
import { migrate } from './schema.ts';
import { sendMessages } from './send.ts';
import { releaseTombstone } from './tombstones.ts';

export type { PostgresStoreOptions } from './config.ts';

export function createPostgresStore(options: PostgresStoreOptions): Store {
  const settings = resolveSettings(options);
  const { channel, schema, description } = settings;
  const db = openDatabase(settings);
  const listener = new WorkListener({ clientConfig: db.clientConfig, channel });
  const reads = { rows: <T>(text: string, params?: readonly unknown[]) => db.statement<T>(text, params, { idempotent: true }) };
  const readInstance = createInstanceReader(db);
  const housekeeper = createHousekeeper(db, { fold: () => foldInstanceCounts(db, schema) });
  const health = new HealthMonitor(async () => {
    await db.transaction((sql) => sql.rows('UPDATE store_probe SET writes = writes + 1'));
  });
  // Every write's outcome tells the health monitor (database.ts has already turned faults into StoreUnavailableError).
  const write = <T>(work: Promise<T>): Promise<T> =>
    work.then(
      (value) => {
        health.wrote();
        return value;
      },
      (error: unknown) => {
        throw health.failed(error);
      },
    );
  return {
    description,
    migrate: () => migrate(db, schema, description),
    checkHealth: () => health.check(),
    close: async () => {
      await listener.dispose();
      await housekeeper.close();
      await db.close();
    },
    createInstances: async (requests) => (requests.length === 0 ? [] : write(createInstances(db, requests, channel))),
    send: async (messages) => (messages.length === 0 ? [] : write(db.transaction((sql) => sendMessages(sql, messages, channel)))),
    getInstance: async (instanceId) => {
      const row = await readInstance(instanceId);
      return row === undefined ? undefined : toInstanceRecord(row);
    },
    getPendingStart: (instanceId) => readPendingStart(db, instanceId),
    releaseInstanceId: (instanceId) => write(releaseTombstone(db, instanceId)),
    listSchedules: () => listSchedules(db),
    writeSchedule: (scheduleWrite) => write(writeSchedule(db, scheduleWrite)),
    listInstances: (query) => listInstances(db, query),
    getHistory: (instanceId) => readHistory(reads, instanceId),
    countInstancesByStatus: () => countInstancesByStatus(db, schema),
    purge: (filter) => write(purge(db, filter)),
    claimOrchestrations: (claim) => write(claimOrchestrations(db, claim)),
    commitOrchestrations: async (commits) => {
      const results = await write(commitOrchestrations(db, commits, channel));
      housekeeper.deleted(commits.reduce((n, commit, i) => n + (results[i]?.ok ? commit.consumedMessageIds.length : 0), 0));
      return results;
    },
    abandonOrchestrations: (items, options) =>
      write(abandonOrchestrations(db, items, options?.delivered ?? false, channel, options?.retryAt ?? 0)),
    claimActivities: (claim) => write(claimActivities(db, claim)),
    completeActivities: async (completions) => {
      await write(completeActivities(db, completions, channel));
      housekeeper.deleted(completions.length);
    },
    abandonActivities: (items) => write(abandonActivities(db, items, channel)),
    renewActivityLeases: (items, expiresAt) => write(renewActivityLeases(db, items, expiresAt)),
    heartbeatActivities: (beats) => write(heartbeatActivities(db, beats)),
    nextWakeAt: (now) => nextWakeAt(db, now),
    countBacklog: (now) => countBacklog(db, now),
    findUnrunnableNames: (runnable, now) => findUnrunnableNames(db, runnable, now),
    onExternalWork: (fn) => listener.subscribe(fn),
  };
}

/** Each arm walks a visibility index over the rows visible now (and probes instances by key). */
async function countBacklog(db: Database, now: number): Promise<Backlog> {
  const [row] = await db.statement<{ orchestrations: string; activities: string; timers: string }>(
    `SELECT
       (SELECT count(DISTINCT m.instance_id) FROM inbox m JOIN instances i ON i.instance_id = m.instance_id
        WHERE m.visible_at <= $1 AND i.lease_expires_at <= $1) AS orchestrations,
       (SELECT count(*) FROM activities WHERE visible_at <= $1 AND lease_expires_at <= $1) AS activities,
       (SELECT count(*) FROM inbox WHERE visible_at <= $1 AND (event::json ->> 'type') = 'TimerFired') AS timers`,
    [now],
    { idempotent: true },
  );
  return { orchestrations: Number(row?.orchestrations ?? 0), activities: Number(row?.activities ?? 0), timers: Number(row?.timers ?? 0) };
}

/**
 * Earliest future visibility or lease expiry (LEAST ignores NULLs). An
 * instance lease matters only while the instance has visible messages, so
 * that arm probes the instances of those messages by primary key (instance
 * rows have no lease index: it would make every claim a non-HOT update); the
 * other arms are one index seek each.
 */
async function nextWakeAt(db: Database, now: number): Promise<number | undefined> {
  const [row] = await db.statement<{ next: number | null }>(
    `SELECT LEAST(
       (SELECT MIN(visible_at) FROM inbox WHERE visible_at > $1),
       (SELECT MIN(visible_at) FROM activities WHERE visible_at > $1),
       (SELECT MIN(lease_expires_at) FROM instances
        WHERE instance_id = ANY(ARRAY(SELECT DISTINCT instance_id FROM inbox WHERE visible_at <= $1)) AND lease_expires_at > $1),
       (SELECT MIN(lease_expires_at) FROM activities WHERE lease_expires_at > 0 AND lease_expires_at > $1)
     ) AS next`,
    [now],
    { idempotent: true },
  );
  return row?.next ?? undefined;
}
