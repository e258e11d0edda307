/**
 * @module scheduled-action
 * The work a turn asks for, as plain data: one action per task the code
 * created this turn, each recorded as its scheduling history event.
 */
import type { HistoryEvent } from '../model/history.ts';
import { ActivityTask, EventSentTask, SubOrchestrationTask, TimerTask, type ActivityTaskOptions, type ScheduledTask } from './task.ts';

export type ScheduledAction =
  | ({ readonly kind: 'ScheduleActivity'; readonly taskId: number; readonly name: string; readonly input: unknown } & ActivityTaskOptions)
  | { readonly kind: 'CreateTimer'; readonly taskId: number; readonly fireAt: string }
  | {
      readonly kind: 'StartSubOrchestration';
      readonly taskId: number;
      readonly name: string;
      readonly instanceId: string;
      readonly input: unknown;
      readonly parentClose?: 'abandon';
      readonly version?: string;
    }
  | { readonly kind: 'SendEvent'; readonly taskId: number; readonly instanceId: string; readonly name: string; readonly input: unknown };

export function fromTask(task: ScheduledTask<unknown>): ScheduledAction {
  if (task instanceof ActivityTask) {
    return { kind: 'ScheduleActivity', taskId: task.taskId, name: task.name, input: task.input, ...activityOptions(task.options) };
  }
  if (task instanceof TimerTask) return { kind: 'CreateTimer', taskId: task.taskId, fireAt: task.fireAt.toISOString() };
  if (task instanceof SubOrchestrationTask) {
    const { taskId, name, instanceId, input, version } = task;
    return {
      kind: 'StartSubOrchestration',
      taskId,
      name,
      instanceId,
      input,
      ...(task.parentClose === 'abandon' ? { parentClose: 'abandon' } : {}),
      ...(version === undefined ? {} : { version }),
    };
  }
  if (task instanceof EventSentTask) {
    return { kind: 'SendEvent', taskId: task.taskId, instanceId: task.instanceId, name: task.name, input: task.input };
  }
  throw new TypeError(`Unknown scheduled task type for #${task.taskId}`);
}

export function scheduledEvent(action: ScheduledAction, timestamp: string): HistoryEvent {
  switch (action.kind) {
    case 'ScheduleActivity':
      return {
        type: 'TaskScheduled',
        timestamp,
        taskId: action.taskId,
        name: action.name,
        ...withInput(action.input),
        ...activityOptions(action),
      };
    case 'CreateTimer':
      return { type: 'TimerCreated', timestamp, taskId: action.taskId, fireAt: action.fireAt };
    case 'StartSubOrchestration':
      return {
        type: 'SubOrchestrationInstanceCreated',
        timestamp,
        taskId: action.taskId,
        name: action.name,
        instanceId: action.instanceId,
        ...withInput(action.input),
        ...(action.parentClose ? { parentClose: action.parentClose } : {}),
        ...(action.version === undefined ? {} : { version: action.version }),
      };
    case 'SendEvent':
      return {
        type: 'EventSent',
        timestamp,
        taskId: action.taskId,
        instanceId: action.instanceId,
        name: action.name,
        ...withInput(action.input),
      };
  }
}

function withInput(input: unknown): { input?: unknown } {
  return input === undefined ? {} : { input };
}

/** The options that were set, and only those: an activity without them is recorded as before. */
export function activityOptions(options: ActivityTaskOptions): ActivityTaskOptions {
  const { timeoutMs, heartbeatTimeoutMs, lastHeartbeatDetails } = options;
  return {
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs }),
    ...(lastHeartbeatDetails === undefined ? {} : { lastHeartbeatDetails }),
  };
}
