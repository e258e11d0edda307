/**
 * @module open-store
 * Turns a store URL from configuration into a migrated, ready Store.
 *
 * What must hold:
 * - A URL that names no supported store fails fast with a ConfigurationError
 *   that says what is accepted, and never echoes credentials back.
 * - The returned store is migrated and has just taken a write (the probe of
 *   checkHealth); if either fails the store is closed and the failure is a
 *   StoreUnavailableError (or SchemaVersionError) naming the store and the cause.
 * - `pg` is loaded only when a PostgreSQL URL is opened (dynamic import), so
 *   SQLite users never load it. It is an optional peer dependency: when it is
 *   not installed, opening a PostgreSQL URL is a ConfigurationError that says
 *   `npm install pg`.
 *
 * PostgreSQL URLs (`postgres://` or `postgresql://`) accept these query
 * parameters besides pg's own (`sslmode`, `application_name`, ...):
 * - `schema`: the schema that holds Perdure's tables, created if missing
 *   (default `perdure`); lower-case letters, digits and `_`.
 * - `poolSize`: connections in the pool (default 10).
 * e.g. `postgres://app:secret@db.internal:5432/app?schema=perdure&poolSize=20`.
 * Options passed in `OpenStoreOptions.postgres` override the URL's.
 *
 * @example
 * const store = await openStore('sqlite:./.perdure/perdure.db');
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigurationError, PerdureError, StoreUnavailableError } from '../model/errors.ts';
import type { PostgresStoreOptions } from './postgres/config.ts';
import type { SqliteStoreOptions } from './sqlite/options.ts';
import { createSqliteStore } from './sqlite/store.ts';

/** A write lock for the threads of one process that open the same SQLite file (see SqliteStoreOptions.threadWriteLock). */
export { createThreadWriteLock } from './sqlite/thread-write-lock.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  readonly sqlite?: Omit<SqliteStoreOptions, 'path'>;
  readonly postgres?: Omit<PostgresStoreOptions, 'url'>;
}

const SQLITE_FILE_EXTENSIONS = ['.db', '.sqlite', '.sqlite3'];
const ACCEPTED =
  "expected 'sqlite:<path>' (e.g. sqlite:./.perdure/perdure.db), a file path ending in .db, " +
  "or 'postgres://user:password@host/database'";

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const store = await createStore(url.trim(), options);
  try {
    await store.migrate();
    await assertWritable(store);
  } catch (error) {
    await store.close().catch(() => {});
    if (error instanceof PerdureError) throw error;
    // Driver messages name the cause (refused, unknown role, ...); the description never holds credentials.
    throw new StoreUnavailableError(`Could not open the store ${store.description}: ${(error as Error).message}`, { cause: error });
  }
  return store;
}

/** The write probe: a store that opens but cannot write (read-only file or role, full disk) is refused now, not at the first start. */
async function assertWritable(store: Store): Promise<void> {
  const health = await store.checkHealth();
  if (!health.writable) {
    throw new StoreUnavailableError(health.message ?? `The store ${store.description} does not take writes.`, {
      reason: health.reason ?? 'unreachable',
    });
  }
}

async function createStore(url: string, options: OpenStoreOptions): Promise<Store> {
  if (url === '') throw new ConfigurationError(`The store URL is empty: ${ACCEPTED}.`);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { createPostgresStore } = await loadPostgresStore();
    return createPostgresStore({ ...options.postgres, url });
  }
  if (scheme === 'sqlite') return createSqliteStore({ ...options.sqlite, path: sqlitePath(url.slice('sqlite:'.length)) });
  if (isBarePath(url, scheme)) return createSqliteStore({ ...options.sqlite, path: resolve(url) });
  const shown = scheme === undefined ? `'${url}'` : `with scheme '${scheme}:'`;
  throw new ConfigurationError(`Unsupported store URL ${shown}: ${ACCEPTED}.`);
}

function sqlitePath(rest: string): string {
  if (rest.startsWith('//')) {
    throw new ConfigurationError(
      `Store URL 'sqlite:${rest}' is ambiguous: write 'sqlite:' followed directly by the file path, ` +
        'e.g. sqlite:./data/perdure.db or sqlite:/var/lib/perdure/perdure.db.',
    );
  }
  if (rest === '') throw new ConfigurationError(`Store URL 'sqlite:' names no file: ${ACCEPTED}.`);
  return rest === ':memory:' ? rest : resolve(rest);
}

/** A plain file path such as `./data/app.db` or `C:\data\app.db` (a drive letter parses as a scheme). */
function isBarePath(url: string, scheme: string | undefined): boolean {
  const hasExtension = SQLITE_FILE_EXTENSIONS.some((ext) => url.toLowerCase().endsWith(ext));
  return hasExtension && (scheme === undefined || (scheme.length === 1 && isAbsolute(url)));
}

async function loadPostgresStore(): Promise<typeof import('./postgres/store.ts')> {
  try {
    return await import('./postgres/store.ts');
  } catch (error) {
    if (isMissingPackage(error, 'pg')) {
      throw new ConfigurationError("The PostgreSQL store needs the 'pg' package, which is not installed: npm install pg", { cause: error });
    }
    throw error;
  }
}

function isMissingPackage(error: unknown, name: string): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`);
}
