/**
 * @module sqlite/codec
 * Owns the mapping between SQLite rows and the store's records. Payloads
 * (input, output, custom status, failure, events) are JSON text; SQL NULL
 * means "absent", so `undefined` never reaches a record as a key.
 *
 * What must hold: a value read back equals what JSON.parse(JSON.stringify(v))
 * gives for the value written, and row ids leave the store as strings.
 */
import type { FailureDetails } from '../../model/failure.ts';
import { isControlEvent, type HistoryEvent, type InboxEvent } from '../../model/history.ts';
import type { InstanceRecord } from '../../model/instance.ts';
import type { RuntimeStatus } from '../../model/runtime-status.ts';
import type { ActivityWorkItem, InboxMessage } from '../store.ts';

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
  readonly lease_owner: string | null;
  readonly lease_expires_at: number;
  readonly lease_token: number;
}

export interface InboxRow {
  readonly id: number;
  readonly execution_id: string | null;
  readonly event: string;
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
}

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

export function toInboxMessage(row: InboxRow): InboxMessage {
  return {
    id: String(row.id),
    ...optional('executionId', row.execution_id ?? undefined),
    event: JSON.parse(row.event) as InboxEvent,
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

export function controlFlag(event: InboxEvent): 0 | 1 {
  return isControlEvent(event) ? 1 : 0;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
