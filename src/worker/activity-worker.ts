/**
 * @module activity-worker
 * Runs activities with a concurrency limit. Results are buffered and
 * delivered to their instances in batches (one transaction for all results
 * that finished together). Activities run at least once: a crash between
 * running one and committing its result runs it again after the lease ends.
 *
 * Timeouts and heartbeats (decision 0028): a run past a deadline is aborted
 * and failed with ActivityTimeoutError at once, without waiting for its
 * handler; a run whose instance was terminated, suspended or ended (as the
 * lease renewal reports) is aborted and its result discarded. Either way
 * the slot frees up even if the handler never returns.
 */
import { performance } from 'node:perf_hooks';
import { FunctionNotFoundError, PerdureError } from '../model/errors.ts';
import { toFailureDetails } from '../model/failure.ts';
import { normalizePayload } from '../model/json.ts';
import type { ActivityCompletion, ActivityHeartbeatStatus, ActivityOutcome, ActivityWorkItem, Store } from '../store/store.ts';
import type { ActivityContext, FunctionApp } from '../runtime/app.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Telemetry } from '../runtime/telemetry.ts';
import { ActivityCancelledError, ActivityRun, expiredAtClaim, InlineHeartbeats } from './activity-run.ts';
import { DeadlineTimer } from './deadline-timer.ts';
import { poisonedActivityFailure } from './poison.ts';
import type { InlineActivity, InlineActivityRunner } from './turn-chain.ts';
import type { UnrunnableWorkWarner } from './unrunnable-work.ts';

export interface ActivityWorkerOptions {
  readonly store: Store;
  readonly app: FunctionApp;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly owner: string;
  readonly leaseMs: number;
  readonly concurrency: number;
  readonly maxPayloadBytes: number;
  /** Deliveries of a task that may end without a result before it is poisoned instead of run. */
  readonly maxDeliveries: number;
  /** Called when results were committed, so the orchestration worker looks at once. */
  readonly onCompleted: () => void;
  /** Called when a slot frees up, so the claim loop can take more. */
  readonly onSlotFreed: () => void;
  /** Metrics and spans of each run (runtime/telemetry.ts). */
  readonly telemetry?: Telemetry;
  /** Warns once per name about tasks this host cannot run (unrunnable-work.ts). */
  readonly warner?: UnrunnableWorkWarner;
}

/** What running an activity needs: a claimed task, or an inline one (which has no row id yet). */
type Runnable = Pick<ActivityWorkItem, 'instanceId' | 'executionId' | 'taskId' | 'name' | 'input'>;

export class ActivityWorker implements InlineActivityRunner {
  readonly #running = new Map<string, { run: ActivityRun; done: Promise<void> }>();
  /** Looks at the running activities' deadlines when the earliest one is due. */
  readonly #deadlineTimer: DeadlineTimer;
  #inline = 0;
  /** The abort controllers of inline activities still running, by inline ID: adopted with their task, aborted at shutdown. */
  readonly #inlineAborts = new Map<string, AbortController>();
  #buffer: ActivityCompletion[] = [];
  #flushing: Promise<void> | undefined;

  constructor(private readonly options: ActivityWorkerOptions) {
    this.#deadlineTimer = new DeadlineTimer(options.clock, () => this.checkDeadlines());
  }

  get inFlight(): number {
    return this.#running.size + this.#inline;
  }

  canRunAll(names: readonly string[]): boolean {
    if (this.options.concurrency - this.inFlight < names.length) return false;
    return names.every((name) => this.options.app.getActivity(name) !== undefined);
  }

  /**
   * Runs an activity for turn chaining, inside the same concurrency limit as
   * claimed ones. An activity that returns without awaiting (or throws) has
   * its outcome here and now, so the chain can run the next turn in the same
   * guarded call; otherwise the outcome comes as a promise.
   */
  start(activity: InlineActivity): ActivityOutcome | Promise<ActivityOutcome> {
    this.#inline += 1;
    const abort = new AbortController();
    const outcome = this.#invoke(activity, INLINE_DELIVERY, abort.signal);
    if (!(outcome instanceof Promise)) {
      this.#inline -= 1;
      return outcome;
    }
    const id = inlineId(activity);
    this.#inlineAborts.set(id, abort);
    return outcome.finally(() => {
      this.#inline -= 1;
      this.#inlineAborts.delete(id);
    });
  }

  /** Takes over an inline activity whose turn was committed with its task leased to this host. */
  adopt(activity: InlineActivity, outcome: Promise<ActivityOutcome>): void {
    const item: ActivityWorkItem = { ...activity, id: inlineId(activity), ...INLINE_DELIVERY };
    const done = outcome.then((result) => this.#finished(item, result));
    // Its own controller, so a terminate or suspend aborts the very signal the handler holds.
    const run = new ActivityRun(item, this.options.clock.now(), this.#inlineAborts.get(item.id));
    this.#running.set(item.id, { run, done });
  }

  /**
   * Heartbeat: extends the leases of running activities (storing their
   * heartbeat details) so a long one is not handed to another host while it
   * still runs, and learns which must stop: one whose instance was
   * terminated, suspended or ended, or that lost its lease anyway.
   */
  async renewLeases(): Promise<void> {
    await this.#writeBeats([...this.#running.values()].map((r) => r.run));
  }

  async #writeBeats(runs: readonly ActivityRun[]): Promise<void> {
    if (runs.length === 0) return;
    const now = this.options.clock.now();
    const beats = runs.map((run) => run.beat(now, this.options.leaseMs));
    for (const run of runs) run.writing(true);
    let statuses: ActivityHeartbeatStatus[];
    try {
      statuses = await this.options.store.heartbeatActivities(beats);
    } finally {
      beats.forEach((beat, i) => runs[i]!.writing(beat));
    }
    runs.forEach((run, i) => this.#heard(run, statuses[i] ?? 'lost'));
  }

  /** Acts on what a heartbeat found: a run that must stop is aborted, and its result discarded unless only the lease was lost. */
  #heard(run: ActivityRun, status: ActivityHeartbeatStatus): void {
    const { item } = run;
    if (status === 'held' || this.#running.get(item.id)?.run !== run) return;
    const what = `activity '${item.name}' (#${item.taskId} of '${item.instanceId}')`;
    if (status === 'lost') {
      this.options.telemetry?.metrics.leaseLost();
      run.abort.abort(new Error(`lease on ${what} was lost`));
      return;
    }
    this.#discard(run, new ActivityCancelledError(item.instanceId, status === 'suspended' ? 'suspended' : 'ended', what));
    // A suspended instance's task runs again after the resume: hand it back now (claims skip it until then).
    if (status === 'suspended') void this.#handBack([item], 'suspended');
  }

  /** Aborts a run and frees its slot; whatever it returns is dropped. */
  #discard(run: ActivityRun, reason: Error): void {
    this.#running.delete(run.item.id);
    run.abort.abort(reason);
    this.options.onSlotFreed();
  }

  /** Writes a heartbeat of one run at once (see ActivityRun.needsWrite); failures wait for the next renewal. */
  #heartbeatNow(run: ActivityRun): void {
    this.#writeBeats([run]).catch((error) => this.options.logger.error('[perdure] could not store an activity heartbeat', error));
  }

  /**
   * Fails every run past a deadline: aborts its signal and delivers an
   * ActivityTimeoutError now (the handler's later result is dropped), then
   * arms the timer for the next deadline. Called by that timer and whenever
   * a manual clock moves.
   */
  checkDeadlines(): void {
    const now = this.options.clock.now();
    let next = Infinity;
    for (const { run } of [...this.#running.values()]) {
      const type = run.timedOut(now);
      if (type === undefined) {
        next = Math.min(next, run.nextDeadline() ?? Infinity);
        continue;
      }
      const failure = run.timeoutFailure(type);
      run.abort.abort(new PerdureError(failure.message));
      this.#finished(run.item, { failure });
    }
    this.#deadlineTimer.arm(next, now);
  }

  /** Claims as many activities as there are free slots and starts them; returns whether any were claimed. */
  async step(): Promise<boolean> {
    const { store, clock, owner, leaseMs, concurrency } = this.options;
    const free = concurrency - this.inFlight;
    if (free <= 0) return false;
    const claimed = await store.claimActivities({
      owner,
      leaseMs,
      limit: free,
      now: clock.now(),
      runnable: this.options.app.runnableNames,
    });
    const items = claimed.filter((item) => this.options.app.getActivity(item.name) !== undefined);
    if (items.length < claimed.length)
      await this.#handBack(
        claimed.filter((item) => !items.includes(item)),
        'unrunnable',
      );
    for (const item of items) this.#start(item);
    return items.length > 0;
  }

  /**
   * Hands tasks back unrun: those of a suspended instance (run again after the resume), and those of
   * activities this host lacks, from a store that ignores `runnable` (never failed; warned about once per name).
   */
  async #handBack(items: readonly ActivityWorkItem[], why: 'suspended' | 'unrunnable'): Promise<void> {
    if (why === 'unrunnable') for (const item of items) this.options.warner?.warn('activities', item.name);
    try {
      await this.options.store.abandonActivities(items);
    } catch (error) {
      this.options.logger.error(`[perdure] could not hand back ${why} tasks; they wait for their lease to expire`, error);
    }
  }

  /** Waits up to `graceMs` for running activities, then aborts and hands back the rest. */
  async drain(graceMs: number): Promise<void> {
    const all = Promise.all([...this.#running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    const leftover = [...this.#running.values()];
    for (const { run } of leftover) run.abort.abort(new Error('host is shutting down'));
    for (const abort of this.#inlineAborts.values()) abort.abort(new Error('host is shutting down'));
    this.#deadlineTimer.cancel();
    if (leftover.length > 0) await this.options.store.abandonActivities(leftover.map((r) => r.run.item));
    this.#running.clear();
    await this.flush();
  }

  #start(item: ActivityWorkItem): void {
    const now = this.options.clock.now();
    const run = new ActivityRun(item, now);
    const expired = expiredAtClaim(item, now);
    // Timed out while another delivery held it (its host died): fail it, do not run it.
    if (expired !== undefined) {
      const done = Promise.resolve().then(() => this.#finished(item, { failure: run.timeoutFailure(expired) }));
      this.#running.set(item.id, { run, done });
      return;
    }
    const done = this.#execute(item, item, run.abort.signal, run).then((outcome) => this.#finished(item, outcome));
    this.#running.set(item.id, { run, done });
    this.#deadlineTimer.arm(run.nextDeadline() ?? Infinity, now);
  }

  #finished(item: ActivityWorkItem, outcome: ActivityOutcome): void {
    if (!this.#running.delete(item.id)) return; // handed back during shutdown
    this.#buffer.push({ item, outcome, now: this.options.clock.now() });
    void this.flush();
    this.options.onSlotFreed();
  }

  /** Never rejects: a failure is an outcome. */
  #execute(item: Runnable, delivery: Delivery, signal: AbortSignal, run?: ActivityRun): Promise<ActivityOutcome> {
    const outcome = this.#invoke(item, delivery, signal, run);
    return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
  }

  /** Runs the handler and reports the run; the outcome is synchronous when the handler's is. Never throws or rejects. */
  #invoke(item: Runnable, delivery: Delivery, signal: AbortSignal, run?: ActivityRun): ActivityOutcome | Promise<ActivityOutcome> {
    const telemetry = this.options.telemetry;
    if (!telemetry) return this.#run(item, delivery, signal, run);
    const start = this.options.clock.now();
    const began = performance.now();
    const report = (outcome: ActivityOutcome): ActivityOutcome => {
      const failure = 'failure' in outcome ? outcome.failure : undefined;
      const end = this.options.clock.now();
      const { instanceId, executionId, name, taskId } = item;
      const seconds = (performance.now() - began) / 1000;
      telemetry.activityRan({
        instanceId,
        executionId,
        name,
        taskId,
        attempt: delivery.attempt,
        start,
        end,
        seconds,
        ...(failure ? { failure } : {}),
      });
      return outcome;
    };
    const outcome = this.#run(item, delivery, signal, run);
    return outcome instanceof Promise ? outcome.then(report) : report(outcome);
  }

  #run(item: Runnable, delivery: Delivery, signal: AbortSignal, run?: ActivityRun): ActivityOutcome | Promise<ActivityOutcome> {
    const definition = this.options.app.getActivity(item.name);
    const logger = this.options.logger;
    let log: Logger | undefined;
    // An inline run has no task row yet: its details only travel with its failure.
    const beats = run ?? new InlineHeartbeats();
    const failed = (error: unknown): ActivityOutcome => ({ failure: beats.withDetails(toFailureDetails(error)) });
    const context: ActivityContext = {
      name: item.name,
      instanceId: item.instanceId,
      executionId: item.executionId,
      taskId: item.taskId,
      attempt: delivery.attempt,
      leaseToken: delivery.leaseToken,
      signal,
      lastHeartbeatDetails: run?.item.heartbeatDetails,
      heartbeat: (details?: unknown) => this.#heartbeat(item, beats, details),
      // Made on first use (most activities never log): its lines carry the task's fields.
      get log() {
        const fields = { instanceId: item.instanceId, executionId: item.executionId, name: item.name, taskId: item.taskId };
        return (log ??= logger.child?.(fields) ?? logger);
      },
    };
    try {
      if (delivery.attempt > this.options.maxDeliveries) return this.#poisoned(item, delivery);
      if (!definition) return { failure: toFailureDetails(new FunctionNotFoundError('activity', item.name)) };
      const result: unknown = definition.handler(item.input, context);
      if (isThenable(result)) {
        return Promise.resolve(result).then((value) => this.#outcome(item, value), failed);
      }
      return this.#outcome(item, result);
    } catch (error) {
      return failed(error);
    }
  }

  #heartbeat(item: Runnable, beats: ActivityRun | InlineHeartbeats, details: unknown): void {
    const { clock, maxPayloadBytes } = this.options;
    const value =
      details === undefined
        ? undefined
        : { value: normalizePayload(details, `heartbeat details of activity '${item.name}'`, maxPayloadBytes) };
    beats.heartbeat(clock.now(), value);
    if (beats instanceof ActivityRun && this.#running.get(beats.item.id)?.run === beats && beats.needsWrite(clock.now())) {
      this.#heartbeatNow(beats);
    }
  }

  #outcome(item: Runnable, result: unknown): ActivityOutcome {
    try {
      const normalized = normalizePayload(result, `result of activity '${item.name}'`, this.options.maxPayloadBytes);
      return normalized === undefined ? {} : { result: normalized };
    } catch (error) {
      return { failure: toFailureDetails(error) };
    }
  }

  /** A task whose earlier deliveries all ended without a result is failed, not run: it may be what kills the host. */
  #poisoned(item: Runnable, delivery: Delivery): ActivityOutcome {
    const { maxDeliveries, logger } = this.options;
    const failure = poisonedActivityFailure({ ...item, deliveries: delivery.attempt - 1, maxDeliveries });
    logger.error(`[perdure] ${failure.message}`);
    return { failure };
  }

  /** Commits buffered results; concurrent calls coalesce into one running flush. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushLoop();
    return this.#flushing;
  }

  /**
   * Clears `#flushing` in the same microtask as its last look at the buffer:
   * cleared any later (in a `.finally`, or after an await), a result buffered
   * in between would join a flush that has already finished, and wait forever.
   */
  async #flushLoop(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // let results that finish together share a commit
    for (;;) {
      if (this.#buffer.length === 0) {
        this.#flushing = undefined;
        return;
      }
      const batch = this.#buffer;
      this.#buffer = [];
      try {
        const committing = performance.now();
        await this.options.store.completeActivities(batch);
        this.options.telemetry?.metrics.committed('activities', (performance.now() - committing) / 1000);
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

/** Which delivery of a task an activity runs as: what its context reports. */
type Delivery = Pick<ActivityWorkItem, 'attempt' | 'leaseToken'>;

/** An inline (chained) run is the first delivery; a pre-leased task row is written with the same values. */
const INLINE_DELIVERY: Delivery = { attempt: 1, leaseToken: 1 };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function inlineId(activity: InlineActivity): string {
  return `inline:${activity.instanceId}:${activity.executionId}:${activity.taskId}`;
}
