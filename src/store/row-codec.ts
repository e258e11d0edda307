/**
 * @module row-codec
 * The mapping between SQL rows and the store's records that both SQL stores
 * share (their own codec modules add what is particular to each database).
 * Payloads (input, output, custom status, failure, events) are JSON text;
 * SQL NULL means "absent", so `undefined` never reaches a record as a key.
 *
 * What must hold: a value read back equals what JSON.parse(JSON.stringify(v))
 * gives for the value written, and row ids leave a store as strings.
 */
import type { FailureDetails } from '../model/failure.ts';
import type { ExecutionStartedEvent, HistoryEvent } from '../model/history.ts';
import type { InstanceRecord } from '../model/instance.ts';
import type { RuntimeStatus } from '../model/runtime-status.ts';
import { isoTimestamp } from '../model/timestamp.ts';
import type { ActivityWorkItem } from './store.ts';

/** The columns of `instances` that every store has and reads. */
export interface InstanceRow {
  readonly instance_id: string;
  readonly name: string;
  readonly execution_id: string;
  readonly runtime_status: RuntimeStatus;
  readonly input: string | null;
  readonly output: string | null;
  readonly custom_status: string | null;
  readonly failure: string | null;
  readonly parent_instance_id: string | null;
  readonly created_at: number;
  readonly updated_at: number;
  readonly completed_at: number | null;
  readonly history_length: number;
  readonly lease_token: number;
  /** Deliveries of the pending turn since the last commit (see OrchestrationWorkItem.deliveries). */
  readonly deliveries: number;
  /** The start request that created the execution (StartRequest.requestId), kept for as long as the instance. */
  readonly request_id: string | null;
  /** The caller's digest of the start input (StartRequest.inputHash). */
  readonly input_hash: string | null;
  /** 1 (SQLite) or true (PostgreSQL) if a purge must leave a tombstone (StartRequest.keepTombstone). */
  readonly keep_tombstone?: number | boolean;
}

export interface ActivityRow {
  readonly id: number;
  readonly instance_id: string;
  readonly execution_id: string;
  readonly task_id: number;
  readonly name: string;
  readonly input: string | null;
  readonly attempt: number;
  readonly lease_token: number;
  readonly timeout_ms: number | null;
  readonly heartbeat_timeout_ms: number | null;
  readonly deadline_at: number | null;
  readonly heartbeat_deadline_at: number | null;
  readonly heartbeat_details: string | null;
}

/**
 * How long past an activity's deadline its lease may run: the holder's own
 * timer reports the timeout in that time, with the run's newest heartbeat
 * details; only a holder that is gone leaves it to the next claimer.
 */
export function deadlineGraceMs(leaseMs: number): number {
  return Math.floor(leaseMs / 3);
}

/** The activity columns a claim returns, in the order both stores select them. */
export const ACTIVITY_COLUMNS =
  'id, instance_id, execution_id, task_id, name, input, attempt, lease_token, ' +
  'timeout_ms, heartbeat_timeout_ms, deadline_at, heartbeat_deadline_at, heartbeat_details';

/** JSON text for a column, or NULL for `undefined`. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : (JSON.stringify(value) ?? null);
}

export function fromJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

export function toInstanceRecord(row: InstanceRow): InstanceRecord {
  return {
    instanceId: row.instance_id,
    name: row.name,
    executionId: row.execution_id,
    runtimeStatus: row.runtime_status,
    ...optional('input', fromJson(row.input)),
    ...optional('output', fromJson(row.output)),
    ...optional('customStatus', fromJson(row.custom_status)),
    ...optional('failure', fromJson(row.failure) as FailureDetails | undefined),
    ...optional('parentInstanceId', row.parent_instance_id ?? undefined),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...optional('completedAt', row.completed_at ?? undefined),
  };
}

export function toActivityWorkItem(row: ActivityRow): ActivityWorkItem {
  return {
    id: String(row.id),
    instanceId: row.instance_id,
    executionId: row.execution_id,
    taskId: row.task_id,
    name: row.name,
    ...optional('input', fromJson(row.input)),
    attempt: row.attempt,
    leaseToken: row.lease_token,
    ...optional('timeoutMs', row.timeout_ms ?? undefined),
    ...optional('heartbeatTimeoutMs', row.heartbeat_timeout_ms ?? undefined),
    ...optional('deadlineAt', row.deadline_at ?? undefined),
    ...optional('heartbeatDeadlineAt', row.heartbeat_deadline_at ?? undefined),
    ...optional('heartbeatDetails', fromJson(row.heartbeat_details)),
  };
}

/** One history row holds the events of one commit, as a JSON array. */
export function toHistoryEvents(text: string): HistoryEvent[] {
  return JSON.parse(text) as HistoryEvent[];
}

/** A row id from an opaque string id, or undefined if the string was never one of ours. */
export function toRowId(id: string): number | undefined {
  const value = Number(id);
  return /^[0-9]+$/.test(id) && Number.isSafeInteger(value) ? value : undefined;
}

/** The first event of an execution, as both stores queue it for a start or a continue-as-new. */
export function executionStarted(fields: {
  now: number;
  name: string;
  executionId: string;
  input: unknown;
  parent: ExecutionStartedEvent['parent'];
  trace?: ExecutionStartedEvent['trace'] | undefined;
  version?: string | undefined;
}): ExecutionStartedEvent {
  return {
    type: 'ExecutionStarted',
    timestamp: isoTimestamp(fields.now),
    name: fields.name,
    executionId: fields.executionId,
    ...(fields.input === undefined ? {} : { input: fields.input }),
    ...(fields.parent === undefined ? {} : { parent: fields.parent }),
    ...(fields.version === undefined ? {} : { version: fields.version }),
    ...(fields.trace === undefined ? {} : { trace: fields.trace }),
  };
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
