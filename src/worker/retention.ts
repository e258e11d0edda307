/**
 * @module retention
 * Purges finished instances once they are older than the host's retention
 * for their status, in the background, through the same store purge the
 * client, the HTTP API and the CLI use.
 *
 * What must hold:
 * - Age is counted from when the instance finished (`completedAt`), never
 *   from when it was created: a month-long run that just ended is kept for
 *   the whole retention.
 * - A status without a retention is never purged by it.
 * - One sweep runs at a time, one small chunk per store call, and it rests
 *   four times as long as each chunk took before the next: a backlog of a
 *   million expired instances takes longer to clear, but the workload keeps
 *   at least four fifths of the store and the event loop (docs/benchmarks.md).
 * - A failed sweep is logged and retried at the next interval; it never
 *   stops the host.
 * - Several hosts sweeping one store at once is safe: a purge re-checks each
 *   row's status in its own transaction.
 */
import type { RuntimeStatus } from '../model/runtime-status.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../store/store.ts';

/** How long finished instances are kept, per status, in milliseconds; a status left out is kept forever. */
export interface RetentionPolicy {
  readonly completed?: number;
  readonly failed?: number;
  readonly terminated?: number;
  /** Time between sweeps (default 60 000 ms). */
  readonly intervalMs?: number;
}

export const DEFAULT_RETENTION_INTERVAL_MS = 60_000;
/** Instances deleted per store call: one SQLite purge chunk. */
export const RETENTION_CHUNK = 100;
/** Rest after a chunk, as a multiple of the time it took: 4 leaves the workload 80% of the time. */
const REST_FACTOR = 4;

const STATUS_OF: Readonly<Record<'completed' | 'failed' | 'terminated', RuntimeStatus>> = {
  completed: 'Completed',
  failed: 'Failed',
  terminated: 'Terminated',
};

export interface RetentionDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly policy: RetentionPolicy;
}

/** One sweep: purges each status's expired instances, chunk by chunk, until done or `stopping()`; returns the counts. */
export async function sweepExpired(
  { store, clock, policy }: Omit<RetentionDeps, 'logger'>,
  stopping: () => boolean = () => false,
): Promise<Partial<Record<RuntimeStatus, number>>> {
  const deleted: Partial<Record<RuntimeStatus, number>> = {};
  for (const [key, status] of Object.entries(STATUS_OF) as [keyof typeof STATUS_OF, RuntimeStatus][]) {
    const keepMs = policy[key];
    if (keepMs === undefined) continue;
    const completedTo = clock.now() - keepMs;
    for (let count = RETENTION_CHUNK; count === RETENTION_CHUNK && !stopping();) {
      const started = performance.now();
      count = await store.purge({ runtimeStatus: [status], completedTo, limit: RETENTION_CHUNK, now: clock.now() });
      deleted[status] = (deleted[status] ?? 0) + count;
      if (count === RETENTION_CHUNK) await sleep((performance.now() - started) * REST_FACTOR);
    }
  }
  return deleted;
}

/** Sweeps now and then every interval (and when a manual clock jumps); returns the function that stops it and waits for a sweep in flight. */
export function startRetention(deps: RetentionDeps): () => Promise<void> {
  const { clock, logger, policy } = deps;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const sweep = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = sweepExpired(deps, () => stopped)
      .then((deleted) => {
        const total = Object.values(deleted).reduce((sum, n) => sum + n, 0);
        if (total > 0) logger.info(`[perdure] retention purged ${total} finished instances (${JSON.stringify(deleted)})`);
      })
      .catch((error: unknown) =>
        logger.error('[perdure] retention could not purge finished instances; retrying at the next interval', error),
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          sweep();
        }
      });
  };
  const timer = setInterval(sweep, policy.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS);
  timer.unref();
  const unsubscribe = clock.onAdvance?.(sweep);
  sweep();
  return async () => {
    stopped = true;
    clearInterval(timer);
    unsubscribe?.();
    await running;
  };
}
