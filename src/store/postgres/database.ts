/**
 * @module postgres/database
 * Owns the pg connection pool behind a PostgreSQL store: how a statement or a
 * transaction runs, which failures are retried, and surviving a server that
 * restarts or kills connections.
 *
 * What must hold:
 * - A transaction either commits whole or rolls back; a client whose
 *   connection broke is destroyed, never handed back to the pool.
 * - A retry happens only when it cannot apply anything twice: after a
 *   deadlock or serialization failure (PostgreSQL rolled it back), or after a
 *   connection error before COMMIT was sent. A failure during COMMIT is never
 *   retried (its outcome is unknown); a single statement is retried after a
 *   connection error only when the caller says it is idempotent.
 * - A connection error never crashes the process: the pool's and every
 *   checked-out client's `error` events are handled. A call that still cannot
 *   reach the server after `reconnectWindowMs` of retries fails with
 *   StoreUnavailableError (CommitUnknownError, a kind of it, when the
 *   connection broke during COMMIT), so callers and HTTP (503) can tell an
 *   outage from a bug. So does a fault of the server's storage (disk full,
 *   read-only, corrupt data, I/O error: faults.ts), which is not retried.
 * - bigint columns (epoch ms, ids, tokens) come back as numbers, through a
 *   type parser local to this pool (pg's global parsers are left alone).
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PerdureError, StoreUnavailableError } from '../../model/errors.ts';
import type { PostgresSettings } from './config.ts';
import { toPostgresFault } from './faults.ts';

/** Something that runs one SQL statement: the pool, or the client of a transaction. */
export interface Sql {
  rows<T>(text: string, params?: readonly unknown[], options?: StatementOptions): Promise<T[]>;
}

export interface StatementOptions {
  /**
   * Prepare the statement once per connection and reuse its plan: for the hot,
   * static statements, whose planning costs more than running them. Only for
   * statements that name their result columns (no `*`), so that a migration
   * that adds a column cannot break a cached plan.
   */
  readonly prepare?: boolean;
}

export interface Database {
  /**
   * Runs one statement in its own implicit transaction. `idempotent`: running
   * it twice does no harm, so it is retried after a connection error too.
   */
  statement<T>(text: string, params?: readonly unknown[], options?: StatementOptions & { readonly idempotent?: boolean }): Promise<T[]>;
  /** Runs `fn` inside BEGIN ... COMMIT on one client. `fn` may run again after a rollback, so it must not keep state outside. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Config for a dedicated client outside the pool (LISTEN). */
  readonly clientConfig: pg.ClientConfig;
  close(): Promise<void>;
}

const INT8_OID = 20;
/** Attempts for a transaction PostgreSQL rolled back (deadlock, serialization failure). */
const MAX_ATTEMPTS = 5;
/** The longest pause between two attempts while the server is unreachable. */
const MAX_BACKOFF_MS = 500;
/** SQLSTATEs after which PostgreSQL has rolled the transaction back: serialization_failure, deadlock_detected. */
const ROLLED_BACK = new Set(['40001', '40P01']);
/** SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, terminate). */
const CONNECTION_STATES = /^(08|57P0[1-3])/;
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function openDatabase(settings: PostgresSettings): Database {
  const clientConfig: pg.ClientConfig = {
    connectionString: settings.connectionString,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    keepAlive: true,
    types,
  };
  const pool = new pg.Pool({ ...clientConfig, max: settings.poolSize });
  // An idle client whose connection drops is removed by the pool; without a
  // listener the pool's 'error' event would throw and end the process.
  pool.on('error', () => {});
  let closed = false;
  const rules = { reconnectWindowMs: settings.reconnectWindowMs, description: settings.description };
  const open = () => {
    if (closed) throw new PerdureError(`The store ${settings.description} is closed.`);
    return pool;
  };
  return {
    clientConfig,
    statement: async <T>(text: string, params: readonly unknown[] = [], options: StatementOptions & { idempotent?: boolean } = {}) =>
      withRetry(async () => (await open().query(toQuery(text, params, options))).rows as T[], {
        ...rules,
        retryable: (error) => wasRolledBack(error) || (options.idempotent === true && isConnectionError(error)),
      }),
    transaction: async <T>(fn: (sql: Sql) => Promise<T>) =>
      withRetry(() => runTransaction(open(), fn), { ...rules, retryable: isSafeToRetry }),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

const statementNames = new Map<string, string>();

function toQuery(text: string, params: readonly unknown[] = [], options: StatementOptions = {}): pg.QueryConfig {
  if (options.prepare !== true) return { text, values: params as unknown[] };
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `perdure_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return { name, text, values: params as unknown[] };
}

/** The connection broke during COMMIT: the transaction may or may not have been applied. */
class CommitUnknownError extends StoreUnavailableError {
  override name = 'CommitUnknownError';
}

async function runTransaction<T>(pool: pg.Pool, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no error listener of the pool's; a dropped
  // connection would otherwise surface as an uncaught 'error' event.
  const onError = () => {};
  client.on('error', onError);
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn({
      rows: async <R>(text: string, params?: readonly unknown[], options?: StatementOptions) =>
        (await client.query(toQuery(text, params, options))).rows as R[],
    });
    try {
      await client.query('COMMIT');
    } catch (error) {
      broken = isConnectionError(error);
      throw broken ? new CommitUnknownError('The connection failed during COMMIT; the outcome is unknown.', { cause: error }) : error;
    }
    return result;
  } catch (error) {
    if (!broken && !(error instanceof CommitUnknownError)) broken = !(await rollback(client));
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken ? true : undefined);
  }
}

/** Returns false if the connection is unusable. */
async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}

interface RetryRules {
  /** Errors after which running again cannot apply anything twice. */
  readonly retryable: (error: unknown) => boolean;
  readonly reconnectWindowMs: number;
  readonly description: string;
}

/**
 * Runs `run` until it succeeds. A rollback is retried a few times; a
 * connection error, for as long as the reconnect window lasts, and then
 * becomes a StoreUnavailableError.
 */
async function withRetry<T>(run: () => Promise<T>, rules: RetryRules): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const connection = isConnectionError(error);
      const retry = rules.retryable(error) && (connection ? Date.now() - started < rules.reconnectWindowMs : attempt < MAX_ATTEMPTS);
      if (!retry) {
        if (connection && !(error instanceof PerdureError)) throw unavailable(rules.description, error);
        throw toPostgresFault(error, rules.description) ?? error;
      }
      // Jitter keeps the transactions that deadlocked from meeting again.
      await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 20 * 2 ** attempt));
    }
  }
}

function unavailable(description: string, error: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`The store ${description} cannot be reached: ${(error as Error).message}`, { cause: error });
}

function isSafeToRetry(error: unknown): boolean {
  if (error instanceof CommitUnknownError) return false;
  return wasRolledBack(error) || isConnectionError(error);
}

function wasRolledBack(error: unknown): boolean {
  return ROLLED_BACK.has(sqlState(error) ?? '');
}

function isConnectionError(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined && (CONNECTION_STATES.test(code) || CONNECTION_CODES.has(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection error|not queryable|Client was closed/i.test(message);
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
