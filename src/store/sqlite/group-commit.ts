/**
 * @module sqlite/group-commit
 * Group commit for SQLite: every write a process issues in the same event
 * loop tick runs in ONE transaction (one fsync), each in its own savepoint.
 * With synchronous=FULL a commit costs a disk flush, so this turns "one
 * flush per state change" into "one flush per tick" without weakening
 * durability: no caller's promise resolves before the shared commit is on disk.
 *
 * What must hold:
 * - Units are independent: one that throws rolls back to its savepoint and
 *   rejects alone; the others still commit.
 * - If the commit itself fails, or SQLite rolls the transaction back on its
 *   own (disk full, I/O error), every unit in it rejects.
 * - A group whose units are all lease bookkeeping (claims, hand-backs) may
 *   commit without a flush: losing a lease on power loss is harmless, since
 *   every process sharing the file lost power too, and the next durable
 *   commit flushes the WAL up to and including it anyway.
 */
import type { Connection } from './database.ts';

interface Unit {
  readonly work: () => unknown;
  readonly durable: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommitter {
  #queue: Unit[] = [];
  #scheduled = false;

  constructor(
    private readonly connection: () => Connection,
    private readonly flushes: boolean,
  ) {}

  /** Queues `work` for this tick's transaction; `durable: false` marks lease-only bookkeeping. */
  run<T>(work: () => T, options: { durable?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, durable: options.durable ?? true, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const units = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    let settled: Settled[];
    const skipFlush = this.flushes && units.every((unit) => !unit.durable);
    try {
      const connection = this.connection();
      if (skipFlush) connection.pragma('synchronous = OFF');
      try {
        settled = connection.write(() => units.map((unit) => attempt(connection, unit.work)));
      } finally {
        if (skipFlush) connection.pragma('synchronous = FULL');
      }
    } catch (error) {
      for (const unit of units) unit.reject(error);
      return;
    }
    settled.forEach((result, i) => (result.ok ? units[i]!.resolve(result.value) : units[i]!.reject(result.error)));
  }
}

function attempt(connection: Connection, work: () => unknown): Settled {
  try {
    return { ok: true, value: connection.write(work) };
  } catch (error) {
    // SQLite rolls the whole transaction back on its own after some errors (disk full, I/O
    // error): the units before this one are undone too, and the ones after it would run outside
    // any transaction. Fail the whole group instead.
    if (!connection.inTransaction) throw error;
    return { ok: false, error };
  }
}
