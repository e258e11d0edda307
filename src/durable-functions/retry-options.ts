/**
 * @module durable-functions/retry-options
 * `RetryOptions` of `durable-functions` v3, and its translation to
 * Perdure's RetryPolicy (whose waits are durable timers).
 *
 * What must hold:
 * - The constructor checks what Durable Functions checks: both arguments
 *   numbers, the first interval above 0.
 * - A max interval or retry timeout left at 0 means "none", as leaving it
 *   unset does in Durable Functions.
 */
import { RetryPolicy } from '../orchestration/retry-policy.ts';

export class RetryOptions {
  /** Each wait is the previous one times this (default 1). */
  backoffCoefficient = 1;
  /** Upper bound on one wait; 0 means none. */
  maxRetryIntervalInMilliseconds = 0;
  /** No attempt starts later than this after the first; 0 means none. */
  retryTimeoutInMilliseconds = 0;

  constructor(
    readonly firstRetryIntervalInMilliseconds: number,
    readonly maxNumberOfAttempts: number,
  ) {
    requireNumber(firstRetryIntervalInMilliseconds, 'firstRetryIntervalInMilliseconds');
    requireNumber(maxNumberOfAttempts, 'maxNumberOfAttempts');
    if (firstRetryIntervalInMilliseconds <= 0) throw new RangeError('firstRetryIntervalInMilliseconds value must be greater than 0.');
  }
}

function requireNumber(value: unknown, name: string): void {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${name}: Expected number but got ${typeof value}`);
}

export function toRetryPolicy(options: RetryOptions): RetryPolicy {
  if (options === null || typeof options !== 'object') throw new TypeError('retryOptions: Expected RetryOptions');
  const positive = (value: number | undefined) => (typeof value === 'number' && value > 0 ? value : undefined);
  const maxRetryIntervalMs = positive(options.maxRetryIntervalInMilliseconds);
  const retryTimeoutMs = positive(options.retryTimeoutInMilliseconds);
  return new RetryPolicy({
    firstRetryIntervalMs: options.firstRetryIntervalInMilliseconds,
    maxNumberOfAttempts: options.maxNumberOfAttempts,
    backoffCoefficient: options.backoffCoefficient ?? 1,
    ...(maxRetryIntervalMs === undefined ? {} : { maxRetryIntervalMs }),
    ...(retryTimeoutMs === undefined ? {} : { retryTimeoutMs }),
  });
}
