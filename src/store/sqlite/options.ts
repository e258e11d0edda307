/**
 * @module store/sqlite/options
 * The SQLite store's options, kept apart from the driver so that the public
 * declarations (`openStore`'s options) never reach better-sqlite3's types.
 */
export type Synchronous = 'full' | 'normal' | 'off';

export interface SqliteStoreOptions {
  /** The database file; its parent directory is created if missing. */
  readonly path: string;
  /** `full` (default) survives power loss; `normal` may lose the last commits on power loss, never on a crash. */
  readonly synchronous?: Synchronous;
  /** How long to wait for another process's write lock before failing (default 10 000 ms). */
  readonly busyTimeoutMs?: number;
  /**
   * Files up to this size get `PRAGMA quick_check` when opened (default 256 MiB); larger files
   * only a check that every table can be read, since quick_check reads the whole file
   * (1.7 GB: 0.9 s from the page cache, 32 s from disk). `0` never runs it.
   */
  readonly quickCheckMaxBytes?: number;
  /**
   * For threads of one process that open the same file (`perdure start`'s engine thread): the same
   * array (`createThreadWriteLock()`, backed by a SharedArrayBuffer) given to each thread's store makes
   * a writer wait for the other thread's transaction to end instead of sleeping in SQLite's busy handler.
   */
  readonly threadWriteLock?: Int32Array;
}
