/**
 * @module examples/approval-workflow
 * Human interaction: wait for an `Approval` event, but not forever. The
 * event races a durable timer with `Task.any`; whichever finishes first
 * decides, and a losing timer is cancelled so it no longer holds the
 * instance open.
 *
 * Raise the event with `true`/`false` or `{ "approved": true }`.
 */
import { app, Task } from 'perdure';

export interface ApprovalInput {
  /** How long to wait for a decision (default one hour). */
  readonly timeoutSeconds?: number;
}

export type ApprovalOutcome = 'approved' | 'rejected' | 'timed out';

export const approvalWorkflow = app.orchestration('ApprovalWorkflow', function* (ctx): Generator<unknown, ApprovalOutcome> {
  const timeoutSeconds = ctx.getInput<ApprovalInput | undefined>()?.timeoutSeconds ?? 3600;
  const deadline = new Date(ctx.currentUtcDateTime.getTime() + timeoutSeconds * 1000);
  const timer = ctx.createTimer(deadline);
  const decision = ctx.waitForExternalEvent<unknown>('Approval');
  const winner = yield* Task.any([decision, timer]);
  if (winner !== decision) return 'timed out';
  timer.cancel();
  return isApproved(decision.result) ? 'approved' : 'rejected';
});

function isApproved(payload: unknown): boolean {
  if (typeof payload === 'boolean') return payload;
  return typeof payload === 'object' && payload !== null && (payload as { approved?: unknown }).approved === true;
}
