/**
 * @module parent-close
 * What an ending execution does to its live sub-orchestrations: each child
 * started with `parentClose: 'terminate'` (the default) is sent a
 * termination naming the parent and how it ended; an 'abandon' child runs on.
 *
 * What must hold: pure (no I/O, no clock); the messages ride in the commit
 * that ends the parent, so a parent never ends without its children being
 * told, whatever crashes afterwards. Child starts commit before outbound
 * messages in both stores, so a child started in the final turn is
 * terminated too.
 */
import type { ExecutionTerminatedEvent, HistoryEvent, InboxEvent } from '../model/history.ts';

export interface ChildTermination {
  readonly instanceId: string;
  readonly event: InboxEvent;
}

/** A child as the parent saw it: its ID and its policy. */
export interface LiveChild {
  readonly instanceId: string;
  readonly parentClose: 'terminate' | 'abandon';
}

/** How the parent ended, in words that finish "parent instance 'p' ...". */
export type ParentEnd = 'completed' | 'failed' | 'continued as new' | 'was terminated';

/** Terminations for the 'terminate' children; `detail` (a termination reason) is appended. */
export function childTerminations(
  parentId: string,
  children: readonly LiveChild[],
  end: ParentEnd,
  timestamp: string,
  detail?: string,
): ChildTermination[] {
  const reason = `parent instance '${parentId}' ${end}${detail ? `: ${detail}` : ''}`;
  const event: ExecutionTerminatedEvent = { type: 'ExecutionTerminated', timestamp, reason };
  return children.filter((c) => c.parentClose === 'terminate').map((c) => ({ instanceId: c.instanceId, event }));
}

/** Sub-orchestrations a stored history started and has not seen end (codeless turns have no executor). */
export function liveChildrenOf(history: readonly HistoryEvent[]): LiveChild[] {
  const live = new Map<number, LiveChild>();
  for (const event of history) {
    if (event.type === 'SubOrchestrationInstanceCreated') {
      live.set(event.taskId, { instanceId: event.instanceId, parentClose: event.parentClose ?? 'terminate' });
    }
    if (event.type === 'SubOrchestrationInstanceCompleted' || event.type === 'SubOrchestrationInstanceFailed') live.delete(event.taskId);
  }
  return [...live.values()];
}
