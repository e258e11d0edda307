/**
 * @module activity-worker
 * Runs activities with a concurrency limit. Results are buffered and
 * delivered to their instances in batches (one transaction for all results
 * that finished together). Activities run at least once: a crash between
 * running one and committing its result runs it again after the lease ends.
 */
import { FunctionNotFoundError } from '../model/errors.ts';
import { toFailureDetails } from '../model/failure.ts';
import { normalizePayload } from '../model/json.ts';
import type { ActivityCompletion, ActivityOutcome, ActivityWorkItem, Store } from '../store/store.ts';
import type { ActivityContext, FunctionApp } from './app.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';

export interface ActivityWorkerOptions {
  readonly store: Store;
  readonly app: FunctionApp;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly owner: string;
  readonly leaseMs: number;
  readonly concurrency: number;
  readonly maxPayloadBytes: number;
  /** Called when results were committed, so the orchestration worker looks at once. */
  readonly onCompleted: () => void;
  /** Called when a slot frees up, so the claim loop can take more. */
  readonly onSlotFreed: () => void;
}

export class ActivityWorker {
  readonly #running = new Map<string, { item: ActivityWorkItem; abort: AbortController; done: Promise<void> }>();
  #buffer: ActivityCompletion[] = [];
  #flushing: Promise<void> | undefined;

  constructor(private readonly options: ActivityWorkerOptions) {}

  get inFlight(): number {
    return this.#running.size;
  }

  /** Claims as many activities as there are free slots and starts them; returns whether any were claimed. */
  async step(): Promise<boolean> {
    const { store, clock, owner, leaseMs, concurrency } = this.options;
    const free = concurrency - this.#running.size;
    if (free <= 0) return false;
    const items = await store.claimActivities({ owner, leaseMs, limit: free, now: clock.now() });
    for (const item of items) this.#start(item);
    return items.length > 0;
  }

  /** Waits up to `graceMs` for running activities, then aborts and hands back the rest. */
  async drain(graceMs: number): Promise<void> {
    const all = Promise.all([...this.#running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    const leftover = [...this.#running.values()];
    for (const running of leftover) running.abort.abort(new Error('host is shutting down'));
    if (leftover.length > 0) await this.options.store.abandonActivities(leftover.map((r) => r.item));
    this.#running.clear();
    await this.flush();
  }

  #start(item: ActivityWorkItem): void {
    const abort = new AbortController();
    const done = this.#execute(item, abort.signal).then((outcome) => {
      if (!this.#running.delete(item.id)) return; // handed back during shutdown
      this.#buffer.push({ item, outcome, now: this.options.clock.now() });
      void this.flush();
      this.options.onSlotFreed();
    });
    this.#running.set(item.id, { item, abort, done });
  }

  async #execute(item: ActivityWorkItem, signal: AbortSignal): Promise<ActivityOutcome> {
    const definition = this.options.app.getActivity(item.name);
    if (!definition) return { failure: toFailureDetails(new FunctionNotFoundError('activity', item.name)) };
    const context: ActivityContext = {
      name: item.name,
      instanceId: item.instanceId,
      executionId: item.executionId,
      taskId: item.taskId,
      attempt: item.attempt,
      signal,
      log: this.options.logger,
    };
    try {
      const result = await definition.handler(item.input, context);
      const normalized = normalizePayload(result, `result of activity '${item.name}'`, this.options.maxPayloadBytes);
      return normalized === undefined ? {} : { result: normalized };
    } catch (error) {
      return { failure: toFailureDetails(error) };
    }
  }

  /** Commits buffered results; concurrent calls coalesce into one running flush. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushLoop().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #flushLoop(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // let results that finish together share a commit
    while (this.#buffer.length > 0) {
      const batch = this.#buffer;
      this.#buffer = [];
      try {
        await this.options.store.completeActivities(batch);
      } catch (error) {
        this.#buffer = batch.concat(this.#buffer);
        this.options.logger.error('[perdure] could not commit activity results; retrying', error);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      this.options.onCompleted();
    }
  }
}
