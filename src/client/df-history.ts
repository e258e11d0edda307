/**
 * @module client/df-history
 * History events in the shape Durable Functions' status route gives them
 * (DurableClient.ConvertHistoryToJson in azure-functions-durable-extension):
 * PascalCase keys, `EventType` as a name, orchestrator markers dropped, a
 * completed task folded into its completion (`ScheduledTime`,
 * `FunctionName`, `Input`), results only with `showHistoryOutput`.
 *
 * What must hold:
 * - Storage order is kept, minus the dropped events.
 * - `Input` values are JSON text, as Durable Functions stores them;
 *   `Result` values are JSON values.
 * - Perdure's stored history is never changed: this only reads it.
 */
import type { FailureDetails } from '../model/failure.ts';
import type { HistoryEvent } from '../model/history.ts';

export interface DfHistoryOptions {
  readonly showHistoryOutput: boolean;
  readonly showInput: boolean;
}

type DfEvent = Record<string, unknown>;

interface Scheduled {
  readonly timestamp: string;
  readonly name: string;
  readonly input: unknown;
}

/** Durable Functions' OrchestrationStatus numbers, which its ContinueAsNew event keeps as integers. */
const CONTINUED_AS_NEW = 2;

export function toDfHistory(history: readonly HistoryEvent[], options: DfHistoryOptions): DfEvent[] {
  const scheduled = scheduledByKey(history);
  const finished = finishedKeys(history);
  const out: DfEvent[] = [];
  for (const event of history) {
    const converted = convert(event, scheduled, finished, options);
    if (converted === undefined) continue;
    if (!options.showInput) delete converted.Input;
    out.push(converted);
  }
  return out;
}

function convert(
  event: HistoryEvent,
  scheduled: ReadonlyMap<string, Scheduled>,
  finished: ReadonlySet<string>,
  options: DfHistoryOptions,
): DfEvent | undefined {
  const base = { EventType: event.type as string, Timestamp: event.timestamp };
  switch (event.type) {
    case 'OrchestratorStarted':
      return undefined;
    case 'ExecutionStarted':
      return { ...base, Input: jsonText(event.input), FunctionName: event.name };
    case 'TaskScheduled':
      if (finished.has(`task:${event.taskId}`)) return undefined;
      return { ...base, Name: event.name, Input: jsonText(event.input) };
    case 'SubOrchestrationInstanceCreated':
      if (finished.has(`sub:${event.taskId}`)) return undefined;
      return { ...base, Name: event.name, InstanceId: event.instanceId, Input: jsonText(event.input) };
    case 'TaskCompleted':
    case 'SubOrchestrationInstanceCompleted': {
      const result = options.showHistoryOutput ? { Result: event.result ?? null } : {};
      return { ...base, ...result, ...scheduledFields(scheduled.get(keyOf(event))) };
    }
    case 'TaskFailed':
    case 'SubOrchestrationInstanceFailed':
      return { ...base, ...failureFields(event.failure), ...scheduledFields(scheduled.get(keyOf(event))) };
    case 'TimerCreated':
    case 'TimerFired':
      return { ...base, FireAt: event.fireAt };
    case 'EventRaised':
      return { ...base, Name: event.name, Input: jsonText(event.input) };
    case 'EventSent':
      return { ...base, InstanceId: event.instanceId, Name: event.name, Input: jsonText(event.input) };
    case 'ExecutionTerminated':
      return { ...base, Input: event.reason ?? null };
    case 'ExecutionSuspended':
    case 'ExecutionResumed':
    case 'ExecutionRewound':
      return { ...base, Reason: event.reason ?? null };
    case 'PatchMarker':
      return undefined; // an orchestrator marker, which Durable Functions' history does not show
    case 'ExecutionCompleted':
      if (event.status === 'ContinuedAsNew') {
        return { ...base, EventType: 'ContinueAsNew', OrchestrationStatus: CONTINUED_AS_NEW, Result: jsonText(event.result) };
      }
      return {
        ...base,
        OrchestrationStatus: event.status,
        ...(options.showHistoryOutput ? { Result: event.failure ? event.failure.message : (event.result ?? null) } : {}),
        FailureDetails: event.failure ? dfFailureDetails(event.failure) : null,
      };
  }
}

function keyOf(event: { type: string; taskId: number }): string {
  return `${event.type.startsWith('Task') ? 'task' : 'sub'}:${event.taskId}`;
}

function scheduledByKey(history: readonly HistoryEvent[]): Map<string, Scheduled> {
  const map = new Map<string, Scheduled>();
  for (const event of history) {
    if (event.type === 'TaskScheduled' || event.type === 'SubOrchestrationInstanceCreated') {
      map.set(keyOf({ type: event.type === 'TaskScheduled' ? 'Task' : 'Sub', taskId: event.taskId }), {
        timestamp: event.timestamp,
        name: event.name,
        input: event.input,
      });
    }
  }
  return map;
}

function finishedKeys(history: readonly HistoryEvent[]): Set<string> {
  const keys = new Set<string>();
  for (const event of history) {
    if (event.type === 'TaskCompleted' || event.type === 'TaskFailed') keys.add(`task:${event.taskId}`);
    if (event.type === 'SubOrchestrationInstanceCompleted' || event.type === 'SubOrchestrationInstanceFailed')
      keys.add(`sub:${event.taskId}`);
  }
  return keys;
}

/** The keys Durable Functions appends to a completion from its schedule, in its order. */
function scheduledFields(schedule: Scheduled | undefined): DfEvent {
  if (!schedule) return {};
  return { ScheduledTime: schedule.timestamp, FunctionName: schedule.name, Input: jsonText(schedule.input) };
}

function failureFields(failure: FailureDetails): DfEvent {
  return { Reason: failure.message, Details: failure.stack ?? null, FailureDetails: dfFailureDetails(failure) };
}

/** DTFx FailureDetails: ErrorType, ErrorMessage, StackTrace, InnerFailure, IsNonRetriable. */
function dfFailureDetails(failure: FailureDetails): DfEvent {
  return {
    ErrorType: failure.name,
    ErrorMessage: failure.message,
    StackTrace: failure.stack ?? null,
    InnerFailure: failure.cause ? dfFailureDetails(failure.cause) : null,
    IsNonRetriable: false,
  };
}

/** Durable Functions keeps inputs as the JSON text it stored; an absent one is null. */
function jsonText(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
