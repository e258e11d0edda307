/**
 * @module retry-policy
 * Retries for activities and sub-orchestrations. The wait between attempts
 * is a durable timer and every decision reads only replayed time, so a
 * retry schedule survives restarts and replays identically.
 */
import { ValidationError } from '../model/errors.ts';
import type { TaskFailedError } from '../model/errors.ts';
import { CompositeTask, Task, TimerTask } from './task.ts';

export interface RetryPolicyOptions {
  /** Wait before the second attempt. */
  readonly firstRetryIntervalMs: number;
  /** Total attempts, including the first. */
  readonly maxNumberOfAttempts: number;
  /** Each wait is the previous one times this (default 1). */
  readonly backoffCoefficient?: number;
  /** Upper bound on a single wait (default: none). */
  readonly maxRetryIntervalMs?: number;
  /** No attempt starts later than this after the first one (default: none). */
  readonly retryTimeoutMs?: number;
  /** Return false to stop retrying on this failure (default: retry every failure). */
  readonly handle?: (error: TaskFailedError) => boolean;
}

export class RetryPolicy {
  readonly firstRetryIntervalMs: number;
  readonly maxNumberOfAttempts: number;
  readonly backoffCoefficient: number;
  readonly maxRetryIntervalMs: number;
  readonly retryTimeoutMs: number;
  readonly handle: (error: TaskFailedError) => boolean;

  constructor(options: RetryPolicyOptions) {
    this.firstRetryIntervalMs = positive(options.firstRetryIntervalMs, 'firstRetryIntervalMs');
    this.maxNumberOfAttempts = atLeastOne(options.maxNumberOfAttempts, 'maxNumberOfAttempts');
    this.backoffCoefficient =
      options.backoffCoefficient === undefined ? 1 : atLeastOne(options.backoffCoefficient, 'backoffCoefficient', false);
    this.maxRetryIntervalMs =
      options.maxRetryIntervalMs === undefined ? Infinity : positive(options.maxRetryIntervalMs, 'maxRetryIntervalMs');
    this.retryTimeoutMs = options.retryTimeoutMs === undefined ? Infinity : positive(options.retryTimeoutMs, 'retryTimeoutMs');
    this.handle = options.handle ?? (() => true);
  }

  /** The wait after the `failures`-th failure, or undefined when no further attempt is allowed. */
  nextDelayMs(failures: number, error: TaskFailedError, elapsedMs: number): number | undefined {
    if (failures >= this.maxNumberOfAttempts) return undefined;
    if (!this.handle(error)) return undefined;
    const delay = Math.min(this.firstRetryIntervalMs * this.backoffCoefficient ** (failures - 1), this.maxRetryIntervalMs);
    if (elapsedMs + delay > this.retryTimeoutMs) return undefined;
    return delay;
  }
}

function positive(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`retryPolicy.${field}`, `must be a positive number of milliseconds (got ${String(value)})`);
  }
  return value;
}

function atLeastOne(value: number, field: string, integer = true): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || (integer && !Number.isInteger(value))) {
    throw new ValidationError(`retryPolicy.${field}`, `must be ${integer ? 'an integer' : 'a number'} >= 1 (got ${String(value)})`);
  }
  return value;
}

export interface RetryScheduler {
  now(): Date;
  createTimer(fireAt: Date): TimerTask;
}

/** Runs `attempt()` until it succeeds or the policy gives up; each wait is a durable timer. */
export class RetryableTask<T> extends CompositeTask<T> {
  #failures = 0;
  #current: Task<T>;
  #timer: TimerTask | undefined;
  readonly #startedAt: number;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly attempt: () => Task<T>,
    private readonly scheduler: RetryScheduler,
  ) {
    super([]);
    this.#startedAt = scheduler.now().getTime();
    this.#current = this.#watch(attempt());
  }

  onChildSettled(child: Task<unknown>): void {
    if (child === this.#timer) {
      this.#timer = undefined;
      this.#current = this.#watch(this.attempt());
    } else if (child === this.#current) {
      this.#onAttemptSettled(child as Task<T>);
    }
  }

  #onAttemptSettled(attempt: Task<T>): void {
    if (!attempt.isFaulted) return this.complete(attempt.result as T);
    this.#failures += 1;
    const error = attempt.error as TaskFailedError;
    const elapsed = this.scheduler.now().getTime() - this.#startedAt;
    const delay = this.policy.nextDelayMs(this.#failures, error, elapsed);
    if (delay === undefined) return this.fail(error);
    this.#timer = this.#watch(this.scheduler.createTimer(new Date(this.scheduler.now().getTime() + delay)));
  }

  #watch<X extends Task<unknown>>(task: X): X {
    task.addParent(this);
    return task;
  }
}
