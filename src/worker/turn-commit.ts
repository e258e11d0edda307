/**
 * @module turn-commit
 * Translates a turn (what the orchestrator decided) into a store commit
 * (rows to write). Timers become messages to the instance itself that turn
 * visible when they fall due; children are started inside the same commit.
 */
import type { InboxEvent } from '../model/history.ts';
import { TERMINAL_STATUSES } from '../model/runtime-status.ts';
import { isoTimestamp } from '../model/timestamp.ts';
import type { ScheduledAction } from '../orchestration/scheduled-action.ts';
import type { OrchestrationExecutor } from '../orchestration/executor.ts';
import type { TurnResult } from '../orchestration/turn.ts';
import { formatTraceparent, parseTraceparent, type TraceContext } from '../model/trace-context.ts';
import type { CommittedTurn } from '../runtime/telemetry.ts';
import { childTraceOf, continuedTraceOf } from '../runtime/trace-context-ids.ts';
import { parseEntityInstanceId } from '../model/entity-id.ts';
import { ENTITY_REQUEST_EVENT, type EntityOperationRequest } from '../model/entity-message.ts';
import type { ActivityRequest, ChildStart, OrchestrationCommit, OrchestrationWorkItem, OutboundMessage } from '../store/store.ts';

/** `trace`: the execution's trace context, if it is traced: children and a continued execution join its trace. */
export function toCommit(
  item: OrchestrationWorkItem,
  turn: TurnResult,
  now: number,
  newId: () => string,
  trace?: TraceContext,
): OrchestrationCommit {
  const timestamp = isoTimestamp(now);
  const activities: ActivityRequest[] = [];
  const messages: OutboundMessage[] = [];
  const childStarts: ChildStart[] = [];
  for (const action of turn.actions) {
    dispatch(action, { item, now, timestamp, newId, trace, activities, messages, childStarts });
  }
  if (turn.parentNotification) {
    const { parent, event } = turn.parentNotification;
    messages.push({ instanceId: parent.instanceId, executionId: parent.executionId, event, visibleAt: now });
  }
  for (const control of turn.controlMessages ?? []) messages.push({ ...control, visibleAt: now });
  return {
    instanceId: item.instanceId,
    executionId: item.executionId,
    leaseToken: item.leaseToken,
    consumedMessageIds: turn.consumedMessageIds,
    newEvents: turn.newEvents,
    runtimeStatus: turn.runtimeStatus,
    ...(turn.output !== undefined ? { output: turn.output } : {}),
    ...(turn.failure !== undefined ? { failure: turn.failure } : {}),
    ...(turn.customStatus !== undefined ? { customStatus: turn.customStatus.value } : {}),
    activities,
    messages,
    childStarts,
    ...(turn.continueAsNew
      ? { continueAsNew: { ...turn.continueAsNew, name: item.name, ...(trace ? { trace: continuedTraceOf(trace) } : {}) } }
      : {}),
    ...(turn.drainOnly ? { drainOnly: true } : {}),
    now,
  };
}

interface DispatchTarget {
  readonly item: OrchestrationWorkItem;
  readonly now: number;
  readonly timestamp: string;
  readonly newId: () => string;
  readonly trace: TraceContext | undefined;
  readonly activities: ActivityRequest[];
  readonly messages: OutboundMessage[];
  readonly childStarts: ChildStart[];
}

function dispatch(action: ScheduledAction, t: DispatchTarget): void {
  const self = { instanceId: t.item.instanceId, executionId: t.item.executionId };
  switch (action.kind) {
    case 'ScheduleActivity':
      t.activities.push(activityRequest(action));
      return;
    case 'CreateTimer': {
      const event: InboxEvent = { type: 'TimerFired', timestamp: action.fireAt, taskId: action.taskId, fireAt: action.fireAt };
      t.messages.push({ ...self, event, visibleAt: Date.parse(action.fireAt) });
      return;
    }
    case 'SendEvent': {
      const event: InboxEvent = {
        type: 'EventRaised',
        timestamp: t.timestamp,
        name: action.name,
        ...(action.input === undefined ? {} : { input: action.input }),
      };
      t.messages.push({ instanceId: action.instanceId, event: withCallerTrace(event, t.trace), visibleAt: t.now, ...toEntity(action, t) });
      return;
    }
    case 'StartSubOrchestration':
      t.childStarts.push(childStart(action, t, self));
  }
}

/**
 * An entity operation request from a traced orchestration carries the
 * orchestration span as its parent, so the operation's span joins the trace.
 * The history keeps the request as sent (replays compare it), the message gets the context.
 */
function withCallerTrace(event: InboxEvent, trace: TraceContext | undefined): InboxEvent {
  if (!trace || event.type !== 'EventRaised' || event.name !== ENTITY_REQUEST_EVENT) return event;
  const request = event.input as Partial<EntityOperationRequest> | undefined;
  if (request?.kind !== 'call' && request?.kind !== 'signal') return event;
  const parsed = parseTraceparent(trace.traceparent);
  if (!parsed) return event;
  const traceparent = formatTraceparent(parsed.traceId, trace.spanId, parsed.traceFlags);
  return { ...event, input: { ...request, traceparent, ...(trace.tracestate ? { tracestate: trace.tracestate } : {}) } };
}

/** A request to an entity creates the entity if it does not exist, and a scheduled signal waits for its time. */
function toEntity(action: Extract<ScheduledAction, { kind: 'SendEvent' }>, t: DispatchTarget): Partial<OutboundMessage> {
  const entity = parseEntityInstanceId(action.instanceId);
  if (!entity) return {};
  const request = action.input as Partial<EntityOperationRequest> | undefined;
  const at = typeof request?.scheduledTime === 'string' ? Date.parse(request.scheduledTime) : Number.NaN;
  return { createIfMissing: { name: entity.name, executionId: t.newId() }, ...(at > t.now ? { visibleAt: at } : {}) };
}

function childStart(
  action: Extract<ScheduledAction, { kind: 'StartSubOrchestration' }>,
  t: DispatchTarget,
  self: { instanceId: string; executionId: string },
): ChildStart {
  const failure = { name: 'InstanceAlreadyExistsError', message: `An instance with ID '${action.instanceId}' already exists.` };
  return {
    request: {
      instanceId: action.instanceId,
      name: action.name,
      executionId: t.newId(),
      ...(action.input === undefined ? {} : { input: action.input }),
      onConflict: 'reject',
      reuseStatuses: TERMINAL_STATUSES,
      parent: { ...self, taskId: action.taskId },
      ...(action.version === undefined ? {} : { version: action.version }),
      ...(t.trace ? { trace: childTraceOf(t.trace) } : {}),
      now: t.now,
    },
    onConflictMessage: {
      ...self,
      event: { type: 'SubOrchestrationInstanceFailed', timestamp: t.timestamp, taskId: action.taskId, failure },
      visibleAt: t.now,
    },
  };
}

/** What telemetry learns of a committed turn (metrics, and spans for a traced execution). */
export function committedTurn(
  item: OrchestrationWorkItem,
  turn: TurnResult,
  commit: OrchestrationCommit,
  executor: OrchestrationExecutor | undefined,
): CommittedTurn {
  return {
    instanceId: item.instanceId,
    executionId: item.executionId,
    name: item.name,
    runtimeStatus: turn.runtimeStatus,
    newEvents: turn.newEvents,
    ...(turn.failure ? { failure: turn.failure } : {}),
    childNames: commit.childStarts.map((child) => child.request.name),
    started: executor?.startedEvent,
    timerCreatedAt: (taskId) => executor?.timerCreatedAt(taskId),
    now: commit.now,
  };
}

function activityRequest(action: Extract<ScheduledAction, { kind: 'ScheduleActivity' }>): ActivityRequest {
  const { taskId, name, input, timeoutMs, heartbeatTimeoutMs, lastHeartbeatDetails } = action;
  return {
    taskId,
    name,
    ...(input === undefined ? {} : { input }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs }),
    ...(lastHeartbeatDetails === undefined ? {} : { heartbeatDetails: lastHeartbeatDetails }),
  };
}
