/**
 * @module rewind
 * Rewinding a failed instance without rewriting its append-only history:
 * an ExecutionRewound event lists the failed tasks of the final turn, and
 * replay ignores those failures (and the failed completion) when they come
 * before it. The rewind turn dispatches those tasks again and asks failed
 * children to rewind too. Failures the orchestration survived stay as they
 * were, so retry decisions replay unchanged.
 */
import type { ExecutionRewoundEvent, HistoryEvent } from '../model/history.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import { activityOptions, type ScheduledAction } from './scheduled-action.ts';
import { replayHistory, type ReplayTarget } from './replay.ts';
import { applyRewinds } from './rewound-history.ts';
import { runTurn, type TurnRequest, type TurnResult } from './turn.ts';

interface RewindPlan {
  readonly taskIds: number[];
  readonly redispatch: ScheduledAction[];
  readonly childInstanceIds: string[];
}

/** The failed tasks of the turn that failed the instance, and how to run them again. */
export function planRewind(history: readonly HistoryEvent[]): RewindPlan {
  const effective = applyRewinds(history);
  const failedAt = effective.findLastIndex((e) => e.type === 'ExecutionCompleted' && e.status === 'Failed');
  const turnStart = effective.slice(0, Math.max(failedAt, 0)).findLastIndex((e) => e.type === 'OrchestratorStarted');
  const plan: RewindPlan = { taskIds: [], redispatch: [], childInstanceIds: [] };
  for (const event of effective.slice(turnStart + 1, Math.max(failedAt, 0))) {
    if (event.type !== 'TaskFailed' && event.type !== 'SubOrchestrationInstanceFailed') continue;
    const scheduled = effective.find(
      (e) => 'taskId' in e && e.taskId === event.taskId && (e.type === 'TaskScheduled' || e.type === 'SubOrchestrationInstanceCreated'),
    );
    plan.taskIds.push(event.taskId);
    if (scheduled?.type === 'TaskScheduled') {
      const { taskId, name, input } = scheduled;
      plan.redispatch.push({ kind: 'ScheduleActivity', taskId, name, input, ...activityOptions(scheduled) });
    } else if (scheduled?.type === 'SubOrchestrationInstanceCreated') {
      plan.childInstanceIds.push(scheduled.instanceId);
    }
  }
  return plan;
}

/** The turn that handles a rewind request for a failed instance. */
export function runRewindTurn(target: ReplayTarget, history: readonly HistoryEvent[], request: TurnRequest, reason?: string): TurnResult {
  const plan = planRewind(history);
  const timestamp = new Date(request.now).toISOString();
  const rewound: ExecutionRewoundEvent = { type: 'ExecutionRewound', timestamp, taskIds: plan.taskIds, ...(reason ? { reason } : {}) };
  const executor = replayHistory(target, [...history, rewound]);
  const turn = runTurn(executor, { ...request, runtimeStatus: RuntimeStatus.Running, messages: [] });
  const [started, ...rest] = turn.newEvents;
  return {
    ...turn,
    consumedMessageIds: request.messages.map((m) => m.id),
    newEvents: [started!, rewound, ...rest],
    actions: [...plan.redispatch, ...turn.actions],
    controlMessages: plan.childInstanceIds.map((instanceId) => ({
      instanceId,
      event: { type: 'ExecutionRewound', timestamp, ...(reason ? { reason } : {}) },
    })),
  };
}
