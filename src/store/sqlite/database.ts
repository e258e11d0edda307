/**
 * @module sqlite/database
 * Owns the one better-sqlite3 connection behind a SQLite store: opening the
 * file with the pragmas that make it durable and shareable between OS
 * processes, the prepared-statement cache, and the transaction helpers.
 *
 * What must hold:
 * - Every write runs inside `write()`, i.e. `BEGIN IMMEDIATE`: the write lock
 *   is taken before the first read, so a read-then-write decision (start if
 *   absent, lease check) can never race another process. A deferred
 *   transaction that upgrades to a writer would get SQLITE_BUSY at once in
 *   WAL mode, without waiting on the busy timeout.
 * - Statements are prepared lazily, because the tables exist only after migrate().
 * - The file is prepared (created, checked for emptiness) by store-file.ts before it is opened here.
 */
import Database from 'better-sqlite3';
import type { Synchronous } from './options.ts';
import { withThreadWriteLock } from './thread-write-lock.ts';

export interface ConnectionOptions {
  readonly path: string;
  readonly synchronous: Synchronous;
  readonly busyTimeoutMs: number;
  /** Shared with another thread's connection to the same file (thread-write-lock.ts). */
  readonly threadWriteLock?: Int32Array | undefined;
}

/** A statement that takes named (`@name`) or positional parameters. */
export type Statement = Database.Statement<unknown[], unknown>;

export interface Connection {
  /** The cached prepared statement for `sql`. */
  statement(sql: string): Statement;
  /** Runs `fn` in a `BEGIN IMMEDIATE` transaction (a savepoint when nested). */
  write<T>(fn: () => T): T;
  /** Runs SQL text that may hold several statements (migrations). */
  exec(sql: string): void;
  pragma(source: string): unknown;
  readonly isOpen: boolean;
  /** False after SQLite rolled back a transaction on its own (disk full, I/O error) inside `write()`. */
  readonly inTransaction: boolean;
  close(): void;
}

export function openConnection(options: ConnectionOptions): Connection {
  const db = new Database(options.path, { timeout: options.busyTimeoutMs });
  try {
    applyPragmas(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
  const statements = new Map<string, Statement>();
  const runInTransaction = db.transaction((fn: () => unknown) => fn());
  return {
    statement(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    write: <T>(fn: () => T): T => {
      const lock = options.threadWriteLock;
      // A nested write is a savepoint of the transaction that already holds the lock.
      if (lock === undefined || db.inTransaction) return runInTransaction.immediate(fn) as T;
      return withThreadWriteLock(lock, options.busyTimeoutMs, () => runInTransaction.immediate(fn) as T);
    },
    exec: (sql) => void db.exec(sql),
    pragma: (source) => db.pragma(source, { simple: true }),
    get isOpen() {
      return db.open;
    },
    get inTransaction() {
      return db.inTransaction;
    },
    close() {
      statements.clear();
      if (db.open) db.close();
    },
  };
}

function applyPragmas(db: Database.Database, options: ConnectionOptions): void {
  // The constructor's `timeout` is the busy timeout; set it again explicitly so
  // the journal-mode switch below already waits for a process that holds the lock.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
  if (options.path !== ':memory:') setWalMode(db, options.busyTimeoutMs);
  db.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
}

/**
 * Switching a brand-new file to WAL needs an exclusive lock, and SQLite may
 * report SQLITE_BUSY for it without calling the busy handler when several
 * processes open the same new file at once; so retry until the busy timeout.
 */
function setWalMode(db: Database.Database, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
