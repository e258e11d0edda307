/**
 * @module instance
 * What the store keeps about one instance besides its history, and the
 * Durable Functions-shaped status the client returns.
 */
import { withoutStackPaths, type FailureDetails } from './failure.ts';
import type { HistoryEvent } from './history.ts';
import type { RuntimeStatus } from './runtime-status.ts';
import { isoTimestamp } from './timestamp.ts';

/** One instance row. Times are epoch milliseconds from the injected clock. */
export interface InstanceRecord {
  readonly instanceId: string;
  readonly name: string;
  readonly executionId: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly customStatus?: unknown;
  readonly failure?: FailureDetails;
  readonly parentInstanceId?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly completedAt?: number;
}

export interface OrchestrationStatus {
  readonly name: string;
  readonly instanceId: string;
  readonly executionId: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly customStatus?: unknown;
  readonly failureDetails?: FailureDetails;
  readonly parentInstanceId?: string;
  /** The orchestration version of the current execution, when it was started with one. */
  readonly version?: string;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly historyEvents?: HistoryEvent[];
}

export function toOrchestrationStatus(record: InstanceRecord, options: { showInput?: boolean } = {}): OrchestrationStatus {
  return {
    name: record.name,
    instanceId: record.instanceId,
    executionId: record.executionId,
    runtimeStatus: record.runtimeStatus,
    ...(options.showInput !== false && record.input !== undefined ? { input: record.input } : {}),
    ...(record.output !== undefined ? { output: record.output } : {}),
    ...(record.customStatus !== undefined ? { customStatus: record.customStatus } : {}),
    ...(record.failure !== undefined ? { failureDetails: record.failure } : {}),
    ...(record.parentInstanceId !== undefined ? { parentInstanceId: record.parentInstanceId } : {}),
    createdTime: isoTimestamp(record.createdAt),
    lastUpdatedTime: isoTimestamp(record.updatedAt),
  };
}

/** The status with absolute paths cut from every failure stack in it (its own and its history's), for serving over HTTP. */
export function statusWithoutStackPaths(status: OrchestrationStatus): OrchestrationStatus {
  const failureDetails = status.failureDetails === undefined ? {} : { failureDetails: withoutStackPaths(status.failureDetails) };
  const historyEvents =
    status.historyEvents === undefined
      ? {}
      : {
          historyEvents: status.historyEvents.map((event) =>
            'failure' in event && event.failure !== undefined ? { ...event, failure: withoutStackPaths(event.failure) } : event,
          ),
        };
  return { ...status, ...failureDetails, ...historyEvents };
}
