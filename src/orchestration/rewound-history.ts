/**
 * @module orchestration/rewound-history
 * The history that replay sees once rewinds are applied: the failures an
 * `ExecutionRewound` event lists, and the failed completion before it, are
 * left out. History itself is never edited.
 */
import type { ExecutionRewoundEvent, HistoryEvent } from '../model/history.ts';

export function applyRewinds(history: readonly HistoryEvent[]): readonly HistoryEvent[] {
  if (!history.some((e) => e.type === 'ExecutionRewound')) return history;
  const kept: HistoryEvent[] = [];
  for (const [index, event] of history.entries()) {
    if (!isUndoneByLaterRewind(event, history.slice(index + 1))) kept.push(event);
  }
  return kept;
}

function isUndoneByLaterRewind(event: HistoryEvent, later: readonly HistoryEvent[]): boolean {
  const rewinds = later.filter((e): e is ExecutionRewoundEvent => e.type === 'ExecutionRewound');
  if (rewinds.length === 0) return false;
  if (event.type === 'ExecutionCompleted') return event.status === 'Failed';
  if (event.type === 'TaskFailed' || event.type === 'SubOrchestrationInstanceFailed') {
    return rewinds.some((r) => r.taskIds?.includes(event.taskId));
  }
  return false;
}
