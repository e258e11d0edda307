/**
 * @module test/helpers/postgres
 * Fresh, uniquely named PostgreSQL schemas for tests, dropped on dispose, so
 * that test files (and people) running at the same time never share tables:
 *
 *   await using schema = await createTestSchema();
 *   const store = createPostgresStore({ url: schema.baseUrl, schema: schema.name });
 *   // or: await openStore(schema.url)
 *
 * The server comes from PERDURE_TEST_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test). If it cannot be reached the
 * helper throws, so the tests fail with the reason: they never skip silently.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/store.ts';
import type { Store } from '../../src/store/store.ts';

export const TEST_POSTGRES_URL = process.env['PERDURE_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema extends AsyncDisposable {
  /** The schema's name, e.g. `perdure_t_1234_ab12cd34`. */
  readonly name: string;
  /** The server URL without a schema: pass `name` as the `schema` option. */
  readonly baseUrl: string;
  /** A store URL for openStore: the server URL with `?schema=<name>`. */
  readonly url: string;
  /** Runs SQL on a short-lived connection with `search_path` set to the schema. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<T[]>;
  /** Drops the schema with everything in it (also what dispose does). */
  drop(): Promise<void>;
}

let counter = 0;

/** A schema name nobody else uses; the schema itself is created by the store's migrate(). */
export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  await assertReachable();
  const name = `perdure_${prefix}_${process.pid}_${++counter}_${randomBytes(4).toString('hex')}`;
  const url = withParam(TEST_POSTGRES_URL, 'schema', name);
  let dropped: Promise<void> | undefined;
  const drop = () => (dropped ??= adminQuery(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).then(() => {}));
  return {
    name,
    baseUrl: TEST_POSTGRES_URL,
    url,
    query: (text, params) => adminQuery(text, params, name),
    drop,
    [Symbol.asyncDispose]: drop,
  };
}

export interface TestStores extends AsyncDisposable {
  readonly stores: Store[];
}

/**
 * `count` stores on one schema, each with its own pool (as separate hosts
 * would have), migrated one after another; closed on dispose.
 */
export async function openTestStores(
  schema: TestSchema,
  count: number,
  options: Omit<PostgresStoreOptions, 'url' | 'schema'> = {},
): Promise<TestStores> {
  const stores: Store[] = [];
  const close = async () => {
    await Promise.all(stores.map((store) => store.close()));
  };
  try {
    for (let i = 0; i < count; i++) {
      const store = createPostgresStore({ poolSize: 4, ...options, url: schema.baseUrl, schema: schema.name });
      stores.push(store);
      await store.migrate();
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { stores, [Symbol.asyncDispose]: close };
}

/** Runs one statement on a connection of its own (optionally with a search_path). */
export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  params: unknown[] = [],
  schema?: string,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    if (schema !== undefined) await client.query(`SET search_path TO "${schema}"`);
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Terminates the server connections tagged with `applicationName` (put
 * `application_name=<name>` in a store's URL), waiting until they are gone.
 * Only those: other tests share the server.
 */
export async function terminateConnections(applicationName: string): Promise<number> {
  // MATERIALIZED: the filter must run before pg_terminate_backend, which would otherwise hit every backend.
  const killed = await adminQuery(
    `WITH victims AS MATERIALIZED (
       SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()
     )
     SELECT pid FROM victims WHERE pg_terminate_backend(pid, 5000)`,
    [applicationName],
  );
  return killed.length;
}

let reachable: Promise<void> | undefined;

function assertReachable(): Promise<void> {
  return (reachable ??= adminQuery('SELECT 1').then(
    () => {},
    (error: unknown) => {
      reachable = undefined;
      throw new Error(
        `PostgreSQL is not reachable at ${redact(TEST_POSTGRES_URL)} (${String((error as Error)?.message ?? error)}). ` +
          'Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start`) or set PERDURE_TEST_POSTGRES_URL. ' +
          'PostgreSQL tests fail rather than skip when the server is missing.',
        { cause: error },
      );
    },
  ));
}

export function withParam(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(name, value);
  return parsed.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
