/**
 * @module postgres/housekeeping
 * Owns keeping the queue tables (inbox, activities) small. Every message and
 * every task is inserted and deleted soon after, and PostgreSQL reclaims a
 * deleted row (and its index entries) only when VACUUM runs. Autovacuum
 * visits a database at most once per `autovacuum_naptime` (a minute by
 * default), and some servers run without it (the benchmark machine's CI
 * configuration turns it off), so at hundreds of turns a second the queue
 * tables grew by at least a minute of dead rows (W5: the store grew
 * 15-fold), and claims had to read past them. So the store vacuums the two
 * tables itself, each time this process has deleted enough rows from them.
 * (Instance rows are kept small by HOT updates instead, see schema.ts; the
 * large tables are left to autovacuum, as vacuuming them is not cheap.)
 *
 * What must hold:
 * - It never delays a write: a vacuum runs in the background, at most one at
 *   a time per store, with SKIP_LOCKED (if autovacuum, another host's vacuum
 *   or a migration holds a table, it is skipped, not waited for).
 * - It is best effort: a vacuum that fails (no privilege, a server restart)
 *   is ignored; autovacuum remains the fallback.
 * - close() waits for a vacuum that is running, so no statement outlives the pool.
 * - The same round folds the instance-count deltas (instance-counts.ts), so
 *   a store nobody reads the counts of keeps them small too.
 */
import type { Database } from './database.ts';

/** Rows deleted from the queue tables since the last vacuum that start the next one. */
const VACUUM_EVERY_ROWS = 2_000;

export interface Housekeeper {
  /** Reports rows this process deleted from the queue tables (consumed messages, finished tasks). */
  deleted(rows: number): void;
  close(): Promise<void>;
}

export interface HousekeeperOptions {
  readonly everyRows?: number;
  /** Folds the instance-count deltas; run after each vacuum. */
  readonly fold?: () => Promise<void>;
}

export function createHousekeeper(db: Database, options: HousekeeperOptions = {}): Housekeeper {
  const everyRows = options.everyRows ?? VACUUM_EVERY_ROWS;
  let pending = 0;
  let running: Promise<void> | undefined;
  let closed = false;
  const vacuum = async () => {
    try {
      await db.statement('VACUUM (SKIP_LOCKED) inbox, activities');
    } catch {
      // Best effort: autovacuum still runs.
    }
    await options.fold?.().catch(() => undefined); // best effort too: a read of the counts folds them as well
  };
  return {
    deleted(rows) {
      pending += rows;
      if (closed || running !== undefined || pending < everyRows) return;
      pending = 0;
      running = vacuum().finally(() => (running = undefined));
    },
    async close() {
      closed = true;
      await running;
    },
  };
}
