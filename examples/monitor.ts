/**
 * @module examples/monitor
 * The monitor pattern: an eternal orchestration that polls, sleeps on a
 * durable timer, and restarts itself with `continueAsNew` so its history
 * stays small however long it runs. It stops when the polled job reports
 * done or when it expires.
 *
 * Input: `{ checksUntilDone: 3, intervalSeconds: 1, expiresAt?: ISO date }`.
 * The "job" here is simulated: it is done on the `checksUntilDone`-th check.
 */
import { app } from 'perdure';

export interface MonitorInput {
  readonly checksUntilDone: number;
  readonly intervalSeconds?: number;
  /** Give up after this time (default: one hour after the first check). */
  readonly expiresAt?: string;
  /** Checks made by earlier executions; carried by continueAsNew. */
  readonly checks?: number;
}

export interface MonitorResult {
  readonly status: 'done' | 'expired';
  readonly checks: number;
}

export const checkJobStatus = app.activity('CheckJobStatus', (input: { check: number; checksUntilDone: number }) =>
  input.check >= input.checksUntilDone ? 'done' : 'running',
);

export const monitor = app.orchestration('Monitor', function* (ctx): Generator<unknown, MonitorResult | undefined> {
  const input = ctx.getInput<MonitorInput>();
  const now = ctx.currentUtcDateTime.getTime();
  const expiresAt = input.expiresAt ?? new Date(now + 3600_000).toISOString();
  const checks = input.checks ?? 0;
  if (now >= Date.parse(expiresAt)) return { status: 'expired', checks };

  const state = yield* ctx.callActivity(checkJobStatus, { check: checks + 1, checksUntilDone: input.checksUntilDone });
  ctx.setCustomStatus({ checks: checks + 1, state });
  if (state === 'done') return { status: 'done', checks: checks + 1 };

  yield* ctx.createTimer(now + (input.intervalSeconds ?? 60) * 1000);
  ctx.continueAsNew({ ...input, expiresAt, checks: checks + 1 });
  return undefined;
});
