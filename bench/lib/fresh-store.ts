/**
 * @module bench/lib/fresh-store
 * A fresh, empty store per benchmark run: a new SQLite file in its own temp
 * directory, or a new PostgreSQL schema. Disposing it removes the file or
 * drops the schema, so runs never see each other's rows.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createHost, openStore, type FunctionApp, type Host, type HostOptions, type Logger, type Store } from '../../src/index.ts';
import { connect, createSchema, dropSchema, newSchemaName, schemaSizeBytes, withSchema } from './postgres.ts';
import type { StoreKind, WorkloadContext } from './workload.ts';

export interface BenchStore extends AsyncDisposable {
  readonly kind: StoreKind;
  /** What a host or a child process opens, e.g. `sqlite:/tmp/x/perdure.db`. */
  readonly url: string;
  /** The SQLite file (SQLite only). */
  readonly sqlitePath?: string;
  /** The PostgreSQL schema (PostgreSQL only). */
  readonly schema?: string;
  /** An admin connection to the database (PostgreSQL only). */
  readonly admin?: pg.Client;
  /** Opens (and migrates) a Store with the run's settings; the caller closes it. */
  open(): Promise<Store>;
  /** SQLite: file plus WAL; PostgreSQL: tables with their indexes and TOAST. */
  sizeBytes(): Promise<number>;
  /** A host with workers on its own Store; stopping the host closes that store. */
  host(app: FunctionApp, options?: Partial<HostOptions>): Promise<Host>;
}

/** Warnings and errors still reach stderr: an engine that complains during a run should be seen. */
export const benchLogger: Logger = {
  info: () => {},
  warn: (message, ...args) => console.error('[engine warn]', message, ...args),
  error: (message, ...args) => console.error('[engine error]', message, ...args),
};

/** PERDURE_BENCH_KEEP_STORES=1 leaves every store behind (and says where), to look into a failed check. */
const KEEP = process.env.PERDURE_BENCH_KEEP_STORES === '1';

export async function freshStore(context: WorkloadContext, label: string): Promise<BenchStore> {
  return context.store === 'sqlite' ? freshSqlite(context, label) : freshPostgres(context, label);
}

function freshSqlite(context: WorkloadContext, label: string): BenchStore {
  const dir = mkdtempSync(join(tmpdir(), `perdure-bench-${label.toLowerCase()}-`));
  const path = join(dir, 'perdure.db');
  const open = () => openStore(`sqlite:${path}`, { sqlite: { synchronous: context.synchronous } });
  return {
    kind: 'sqlite',
    url: `sqlite:${path}`,
    sqlitePath: path,
    open,
    sizeBytes: async () => fileSize(path) + fileSize(`${path}-wal`),
    host: (app, options) => hostOn(open, app, options),
    [Symbol.asyncDispose]: async () => {
      if (KEEP) return console.error(`[bench] kept ${path}`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freshPostgres(context: WorkloadContext, label: string): Promise<BenchStore> {
  const admin = await connect(context.postgresUrl);
  const schema = newSchemaName(label);
  await createSchema(admin, schema);
  const url = withSchema(context.postgresUrl, schema);
  const open = () => openStore(url);
  return {
    kind: 'postgres',
    url,
    schema,
    admin,
    open,
    sizeBytes: () => schemaSizeBytes(admin, schema),
    host: (app, options) => hostOn(open, app, options),
    [Symbol.asyncDispose]: async () => {
      if (KEEP) console.error(`[bench] kept schema ${schema}`);
      else await dropSchema(admin, schema).catch((error) => console.error(`could not drop schema ${schema}: ${(error as Error).message}`));
      await admin.end().catch(() => {});
    },
  };
}

async function hostOn(open: () => Promise<Store>, app: FunctionApp, options: Partial<HostOptions> = {}): Promise<Host> {
  const store = await open();
  const host = await createHost({ logger: benchLogger, ...options, app, store });
  // The host does not own a Store it was handed, so close it after the workers stop.
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await host.stop();
      await store.close();
    })());
  return { ...host, stop, [Symbol.asyncDispose]: stop };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
