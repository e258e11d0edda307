/**
 * @module bench/lib/postgres
 * PostgreSQL plumbing for the bench: fresh schemas (one per run, dropped
 * after), sizing a schema's tables, and telling whether the PostgreSQL store
 * exists in this build and the server answers, so callers can say why a
 * PostgreSQL run is unavailable instead of crashing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/index.ts';

export const DEFAULT_POSTGRES_URL = process.env.PERDURE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function withSchema(baseUrl: string, schema: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** The base URL without a `schema` parameter, for plain `pg` connections. */
function connectionString(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.searchParams.delete('schema');
  return url.toString();
}

export async function connect(baseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: connectionString(baseUrl) });
  // A dead server surfaces as an 'error' event on an idle client; without a listener it would crash the run.
  client.on('error', () => {});
  await client.connect();
  return client;
}

export function newSchemaName(label: string): string {
  return `bench_${label.toLowerCase().replace(/[^a-z0-9]/g, '')}_${randomBytes(4).toString('hex')}`;
}

export async function createSchema(client: pg.Client, schema: string): Promise<void> {
  await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
}

export async function dropSchema(client: pg.Client, schema: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
}

/** Heap + indexes + TOAST of every table in the schema. */
export async function schemaSizeBytes(client: pg.Client, schema: string): Promise<number> {
  const { rows } = await client.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(format('%I.%I', schemaname, tablename)::regclass)), 0) AS bytes
       FROM pg_tables WHERE schemaname = $1`,
    [schema],
  );
  return Number(rows[0]?.bytes ?? 0);
}

/** `{ ok: true }` when a PostgreSQL store opens on a fresh schema, else the reason it doesn't. */
export async function postgresAvailability(baseUrl = DEFAULT_POSTGRES_URL): Promise<{ ok: true } | { ok: false; reason: string }> {
  let client: pg.Client;
  try {
    client = await connect(baseUrl);
  } catch (error) {
    return { ok: false, reason: `PostgreSQL server unreachable: ${(error as Error).message}` };
  }
  const schema = newSchemaName('probe');
  try {
    await createSchema(client, schema);
    const store = await openStore(withSchema(baseUrl, schema));
    await store.close();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `PostgreSQL store unavailable: ${(error as Error).message}` };
  } finally {
    await dropSchema(client, schema).catch(() => {});
    await client.end().catch(() => {});
  }
}
