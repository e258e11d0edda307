/**
 * @module retry-policy
 * Retries for activities and sub-orchestrations. The wait between attempts
 * is a durable timer and every decision reads only replayed time and a
 * deterministic random source, so a retry schedule (jitter included)
 * survives restarts and replays identically.
 *
 * What must hold: a failure marked `isNonRetryable`, or whose name is in
 * `nonRetryableErrors`, is never retried, whatever `handle` says.
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
  readonly maxDelayMs?: number;
  /** The Durable Functions name of `maxDelayMs`; give one or the other. */
  readonly maxRetryIntervalMs?: number;
  /**
   * How much of each wait is random, from 0 (default: exact waits) to 1: each
   * wait is drawn from [wait × (1 − jitter), wait], so instances that failed
   * together do not all retry in the same instant. Replays draw the same values.
   */
  readonly jitter?: number;
  /** Failure names (`failure.name`, e.g. `'CardDeclined'`) that are never retried. */
  readonly nonRetryableErrors?: readonly string[];
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
  readonly jitter: number;
  readonly nonRetryableErrors: readonly string[];
  readonly retryTimeoutMs: number;
  readonly handle: (error: TaskFailedError) => boolean;

  constructor(options: RetryPolicyOptions) {
    this.firstRetryIntervalMs = positive(options.firstRetryIntervalMs, 'firstRetryIntervalMs');
    this.maxNumberOfAttempts = atLeastOne(options.maxNumberOfAttempts, 'maxNumberOfAttempts');
    this.backoffCoefficient =
      options.backoffCoefficient === undefined ? 1 : atLeastOne(options.backoffCoefficient, 'backoffCoefficient', false);
    this.maxRetryIntervalMs = maxDelay(options);
    this.jitter = options.jitter === undefined ? 0 : fraction(options.jitter, 'jitter');
    this.nonRetryableErrors = names(options.nonRetryableErrors);
    this.retryTimeoutMs = options.retryTimeoutMs === undefined ? Infinity : positive(options.retryTimeoutMs, 'retryTimeoutMs');
    this.handle = options.handle ?? (() => true);
  }

  /** The upper bound on a single wait; the Durable Functions name of `maxRetryIntervalMs`. */
  get maxDelayMs(): number {
    return this.maxRetryIntervalMs;
  }

  /**
   * The wait after the `failures`-th failure, or undefined when no further attempt is allowed.
   * `random` is a deterministic draw in [0, 1), used only for jitter.
   */
  nextDelayMs(failures: number, error: TaskFailedError, elapsedMs: number, random: () => number = () => 0): number | undefined {
    if (failures >= this.maxNumberOfAttempts) return undefined;
    if (this.isNonRetryable(error) || !this.handle(error)) return undefined;
    const ceiling = Math.min(this.firstRetryIntervalMs * this.backoffCoefficient ** (failures - 1), this.maxRetryIntervalMs);
    const delay = this.jitter === 0 ? ceiling : Math.round(ceiling * (1 - this.jitter * random()));
    if (elapsedMs + delay > this.retryTimeoutMs) return undefined;
    return delay;
  }

  /** A failure no retry may repeat: marked by the code that threw it, or named in `nonRetryableErrors`. */
  isNonRetryable(error: TaskFailedError): boolean {
    return error.failure.isNonRetryable === true || this.nonRetryableErrors.includes(error.failure.name);
  }
}

function positive(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`retryPolicy.${field}`, `must be a positive number of milliseconds (got ${String(value)})`);
  }
  return value;
}

function maxDelay(options: RetryPolicyOptions): number {
  const { maxDelayMs, maxRetryIntervalMs } = options;
  if (maxDelayMs !== undefined && maxRetryIntervalMs !== undefined && maxDelayMs !== maxRetryIntervalMs) {
    throw new ValidationError(
      'retryPolicy.maxDelayMs',
      `and maxRetryIntervalMs are the same setting; give one (got ${maxDelayMs} and ${maxRetryIntervalMs})`,
    );
  }
  if (maxDelayMs !== undefined) return positive(maxDelayMs, 'maxDelayMs');
  return maxRetryIntervalMs === undefined ? Infinity : positive(maxRetryIntervalMs, 'maxRetryIntervalMs');
}

function fraction(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ValidationError(`retryPolicy.${field}`, `must be a number from 0 to 1 (got ${String(value)})`);
  }
  return value;
}

function names(value: readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  const list: unknown = value;
  if (!Array.isArray(list) || !list.every((name): name is string => typeof name === 'string' && name !== '')) {
    throw new ValidationError('retryPolicy.nonRetryableErrors', 'must be an array of non-empty error names');
  }
  return [...list];
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
  /** A draw in [0, 1) that is the same on every replay of this point. */
  random(): number;
}

/** Runs `attempt()` until it succeeds or the policy gives up; each wait is a durable timer. */
export class RetryableTask<T> extends CompositeTask<T> {
  #failures = 0;
  #current: Task<T>;
  #lastError: TaskFailedError | undefined;
  #timer: TimerTask | undefined;
  readonly #startedAt: number;

  constructor(
    private readonly policy: RetryPolicy,
    /** Starts an attempt; a retry gets the failure of the attempt before it (an activity retry takes its heartbeat details). */
    private readonly attempt: (previous?: TaskFailedError) => Task<T>,
    private readonly scheduler: RetryScheduler,
  ) {
    super([]);
    this.#startedAt = scheduler.now().getTime();
    this.#current = this.#watch(attempt());
  }

  onChildSettled(child: Task<unknown>): void {
    if (child === this.#timer) {
      this.#timer = undefined;
      this.#current = this.#watch(this.attempt(this.#lastError));
    } else if (child === this.#current) {
      this.#onAttemptSettled(child as Task<T>);
    }
  }

  #onAttemptSettled(attempt: Task<T>): void {
    if (!attempt.isFaulted) return this.complete(attempt.result as T);
    this.#failures += 1;
    const error = attempt.error as TaskFailedError;
    this.#lastError = error;
    const elapsed = this.scheduler.now().getTime() - this.#startedAt;
    const delay = this.policy.nextDelayMs(this.#failures, error, elapsed, () => this.scheduler.random());
    if (delay === undefined) return this.fail(error);
    this.#timer = this.#watch(this.scheduler.createTimer(new Date(this.scheduler.now().getTime() + delay)));
  }

  #watch<X extends Task<unknown>>(task: X): X {
    task.addParent(this);
    return task;
  }
}
