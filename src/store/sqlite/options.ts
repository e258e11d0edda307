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
}
