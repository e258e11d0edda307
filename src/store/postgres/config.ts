/**
 * @module postgres/config
 * Owns turning the PostgreSQL store options (and the query parameters of a
 * store URL) into settings: the connection string pg gets, the schema, the
 * pool size, the NOTIFY channel and a description safe to log.
 *
 * What must hold:
 * - The description and every error message never contain credentials.
 * - The schema is a plain lower-case identifier, so it can be put into
 *   `search_path` and a channel name without quoting rules going wrong.
 * - Every connection the store opens gets `search_path` set at startup (the
 *   `options` startup parameter), so no query ever runs against another schema.
 *
 * URL query parameters read here (and removed before pg sees the URL):
 * - `schema`: tables live in this schema, created by migrate() if missing (default `perdure`).
 * - `poolSize`: connections in the pool (default 10).
 * Every other parameter (`sslmode`, `application_name`, ...) goes to pg unchanged.
 */
import { createHash } from 'node:crypto';
import { ConfigurationError } from '../../model/errors.ts';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database?schema=perdure&poolSize=10` */
  readonly url: string;
  /** Connections in the pool; overrides `?poolSize=` (default 10). */
  readonly poolSize?: number;
  /** Schema that holds the tables; overrides `?schema=` (default `perdure`). */
  readonly schema?: string;
  /** How long to wait for a connection, from the server or from a busy pool (default 30 000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * How long a call keeps retrying while the server cannot be reached (a
   * restart, a failover) before it fails with StoreUnavailableError (default 10 000 ms).
   */
  readonly reconnectWindowMs?: number;
}

export interface PostgresSettings {
  /** The URL handed to pg: our parameters removed, `search_path` added to `options`. */
  readonly connectionString: string;
  readonly schema: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly reconnectWindowMs: number;
  /** The LISTEN/NOTIFY channel for this schema (at most 63 bytes, an identifier's limit). */
  readonly channel: string;
  readonly description: string;
}

export const DEFAULT_SCHEMA = 'perdure';
export const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_RECONNECT_WINDOW_MS = 10_000;
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
const MAX_IDENTIFIER_BYTES = 63;

export function resolveSettings(options: PostgresStoreOptions): PostgresSettings {
  const url = parseUrl(options.url);
  const schema = validateSchema(options.schema ?? takeParam(url, 'schema') ?? DEFAULT_SCHEMA);
  const poolSize = validatePoolSize(options.poolSize ?? takeParam(url, 'poolSize') ?? DEFAULT_POOL_SIZE);
  const startup = url.searchParams.get('options');
  url.searchParams.set('options', [startup, `-c search_path=${schema}`].filter(Boolean).join(' '));
  if (!url.searchParams.has('application_name')) url.searchParams.set('application_name', 'perdure');
  return {
    connectionString: url.toString(),
    schema,
    poolSize,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    reconnectWindowMs: options.reconnectWindowMs ?? DEFAULT_RECONNECT_WINDOW_MS,
    channel: channelFor(schema),
    description: describe(url, schema),
  };
}

function parseUrl(text: string): URL {
  try {
    const url = new URL(text.trim());
    if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') return url;
  } catch {
    // Fall through: the URL itself may hold a password, so it is never echoed.
  }
  throw new ConfigurationError("Invalid PostgreSQL store URL: expected 'postgres://user:password@host:port/database'.");
}

/** Reads and removes one of our parameters, so that pg never sees it. */
function takeParam(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  url.searchParams.delete(name);
  return value ?? undefined;
}

function validateSchema(schema: string): string {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new ConfigurationError(
      `Invalid PostgreSQL schema '${schema}': use lower-case letters, digits and '_' (at most 63, not starting with a digit).`,
    );
  }
  return schema;
}

function validatePoolSize(value: number | string): number {
  const size = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(size) || size < 1 || size > 1000) {
    throw new ConfigurationError(`Invalid PostgreSQL pool size '${String(value)}': expected an integer from 1 to 1000.`);
  }
  return size;
}

/** One channel per schema, so hosts of another deployment in the same database are not woken. */
function channelFor(schema: string): string {
  const channel = `perdure_work_${schema}`;
  if (channel.length <= MAX_IDENTIFIER_BYTES) return channel;
  return `perdure_work_${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

function describe(url: URL, schema: string): string {
  const host = url.host === '' ? 'localhost' : url.host;
  return `postgres://${host}${url.pathname} (schema ${schema})`;
}
