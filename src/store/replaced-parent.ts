/**
 * @module replaced-parent
 * `onConflict: 'terminateExisting'` on a live sub-orchestration: the
 * replaced execution's parent is told, in the replacing transaction, that
 * its child was terminated, as a termination would tell it. Without this the
 * parent waits forever for a child whose execution no longer exists.
 *
 * What must hold: both stores build the notice here, from the replaced
 * execution's ExecutionStarted (its first history row, or its queued start
 * when no turn has run), so the parent's task fails with the same failure
 * on either store. The store reads only that one event's `parent`.
 */
import type { HistoryEvent, InboxEvent, ParentRef } from '../model/history.ts';
import { isoTimestamp } from '../model/timestamp.ts';

export const REPLACED_REASON = "replaced by a new execution (onConflict: 'terminateExisting')";

export interface ParentNotice {
  readonly instanceId: string;
  readonly executionId: string;
  readonly visibleAt: number;
  readonly event: InboxEvent;
}

/** The parent of the execution that started with one of these events, if any. */
export function startedParentIn(events: readonly (HistoryEvent | InboxEvent)[], executionId: string): ParentRef | undefined {
  for (const event of events) if (event.type === 'ExecutionStarted' && event.executionId === executionId) return event.parent;
  return undefined;
}

/** The message that fails the parent's sub-orchestration task with the termination. */
export function replacedParentNotice(parent: ParentRef, now: number): ParentNotice {
  const failure = { name: 'OrchestrationTerminated', message: `Terminated: ${REPLACED_REASON}` };
  return {
    instanceId: parent.instanceId,
    executionId: parent.executionId,
    visibleAt: now,
    event: { type: 'SubOrchestrationInstanceFailed', timestamp: isoTimestamp(now), taskId: parent.taskId, failure },
  };
}
