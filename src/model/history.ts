/**
 * @module history
 * The append-only event history of one execution. Replay re-runs the
 * orchestrator against it, so its shape is a compatibility contract:
 * recorded histories in test/fixtures must keep replaying after any change.
 * Event names follow Durable Functions'.
 */
import type { FailureDetails } from './failure.ts';
import type { TraceContext } from './trace-context.ts';

export interface ParentRef {
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskId: number;
}

interface At {
  readonly timestamp: string;
}

export interface OrchestratorStartedEvent extends At {
  readonly type: 'OrchestratorStarted';
}
export interface ExecutionStartedEvent extends At {
  readonly type: 'ExecutionStarted';
  readonly name: string;
  readonly executionId: string;
  readonly input?: unknown;
  readonly parent?: ParentRef;
  /** The orchestration version this execution runs under (fixed at start; see docs/versioning.md). */
  readonly version?: string;
  /** Where the orchestration's spans go (observability); absent when no tracing SDK saw the start. */
  readonly trace?: TraceContext;
}
export interface TaskScheduledEvent extends At {
  readonly type: 'TaskScheduled';
  readonly taskId: number;
  readonly name: string;
  readonly input?: unknown;
  /** Start-to-close timeout of each delivery of the task (absent: none). */
  readonly timeoutMs?: number;
  /** Longest time the task may go without a heartbeat (absent: none). */
  readonly heartbeatTimeoutMs?: number;
  /** A retry attempt's starting heartbeat details: the failed attempt's last ones. */
  readonly lastHeartbeatDetails?: unknown;
}
export interface TaskCompletedEvent extends At {
  readonly type: 'TaskCompleted';
  readonly taskId: number;
  readonly result?: unknown;
}
export interface TaskFailedEvent extends At {
  readonly type: 'TaskFailed';
  readonly taskId: number;
  readonly failure: FailureDetails;
}
export interface TimerCreatedEvent extends At {
  readonly type: 'TimerCreated';
  readonly taskId: number;
  readonly fireAt: string;
}
export interface TimerFiredEvent extends At {
  readonly type: 'TimerFired';
  readonly taskId: number;
  readonly fireAt: string;
}
export interface SubOrchestrationInstanceCreatedEvent extends At {
  readonly type: 'SubOrchestrationInstanceCreated';
  readonly taskId: number;
  readonly name: string;
  readonly instanceId: string;
  readonly input?: unknown;
  /** 'abandon': the child runs on when this execution ends; absent: it is terminated then. */
  readonly parentClose?: 'abandon';
  /** The child's version: the one the code asked for, else the parent's. */
  readonly version?: string;
}
export interface SubOrchestrationInstanceCompletedEvent extends At {
  readonly type: 'SubOrchestrationInstanceCompleted';
  readonly taskId: number;
  readonly result?: unknown;
}
export interface SubOrchestrationInstanceFailedEvent extends At {
  readonly type: 'SubOrchestrationInstanceFailed';
  readonly taskId: number;
  readonly failure: FailureDetails;
}
export interface EventSentEvent extends At {
  readonly type: 'EventSent';
  readonly taskId: number;
  readonly instanceId: string;
  readonly name: string;
  readonly input?: unknown;
}
export interface EventRaisedEvent extends At {
  readonly type: 'EventRaised';
  readonly name: string;
  readonly input?: unknown;
}
export interface ExecutionSuspendedEvent extends At {
  readonly type: 'ExecutionSuspended';
  readonly reason?: string;
}
export interface ExecutionResumedEvent extends At {
  readonly type: 'ExecutionResumed';
  readonly reason?: string;
}
export interface ExecutionTerminatedEvent extends At {
  readonly type: 'ExecutionTerminated';
  readonly reason?: string;
  /** `false`: only this instance; absent: its live sub-orchestrations are terminated too, and theirs. */
  readonly recursive?: false;
}
export interface ExecutionRewoundEvent extends At {
  readonly type: 'ExecutionRewound';
  readonly reason?: string;
  /** The failed tasks this rewind retries; their failure events before it are ignored by replay. */
  readonly taskIds?: readonly number[];
}
/**
 * Written in the turn where `ctx.patched(changeId)` first returned true (or
 * `ctx.deprecatePatch` first ran): replay of that turn answers true again.
 * It takes no task sequence number, so adding a patch never shifts the
 * numbers of the tasks around it.
 */
export interface PatchMarkerEvent extends At {
  readonly type: 'PatchMarker';
  readonly changeId: string;
  /** Written by deprecatePatch: code that no longer mentions the change may replay it. */
  readonly deprecated?: true;
}
export interface ExecutionCompletedEvent extends At {
  readonly type: 'ExecutionCompleted';
  readonly status: 'Completed' | 'Failed' | 'ContinuedAsNew';
  readonly result?: unknown;
  readonly failure?: FailureDetails;
}

export type HistoryEvent =
  | OrchestratorStartedEvent
  | ExecutionStartedEvent
  | TaskScheduledEvent
  | TaskCompletedEvent
  | TaskFailedEvent
  | TimerCreatedEvent
  | TimerFiredEvent
  | SubOrchestrationInstanceCreatedEvent
  | SubOrchestrationInstanceCompletedEvent
  | SubOrchestrationInstanceFailedEvent
  | EventSentEvent
  | EventRaisedEvent
  | ExecutionSuspendedEvent
  | ExecutionResumedEvent
  | ExecutionTerminatedEvent
  | ExecutionRewoundEvent
  | PatchMarkerEvent
  | ExecutionCompletedEvent;

export type HistoryEventType = HistoryEvent['type'];
export type EventOfType<K extends HistoryEventType> = Extract<HistoryEvent, { type: K }>;

/** Events that arrive in an instance's inbox from outside the orchestrator. */
export type InboxEvent =
  | ExecutionStartedEvent
  | TaskCompletedEvent
  | TaskFailedEvent
  | TimerFiredEvent
  | SubOrchestrationInstanceCompletedEvent
  | SubOrchestrationInstanceFailedEvent
  | EventRaisedEvent
  | ExecutionSuspendedEvent
  | ExecutionResumedEvent
  | ExecutionTerminatedEvent
  | ExecutionRewoundEvent;

/** Control events are delivered even to a suspended instance; the rest wait for resume. */
export const CONTROL_EVENT_TYPES: ReadonlySet<HistoryEventType> = new Set([
  'ExecutionSuspended',
  'ExecutionResumed',
  'ExecutionTerminated',
  'ExecutionRewound',
]);

export function isControlEvent(event: HistoryEvent): boolean {
  return CONTROL_EVENT_TYPES.has(event.type);
}
