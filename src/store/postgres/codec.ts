/**
 * @module postgres/codec
 * Owns the mapping between PostgreSQL rows and the store's records. Payloads
 * (input, output, custom status, failure, events) are JSON text; SQL NULL
 * means "absent", so `undefined` never reaches a record as a key.
 *
 * What must hold: a value read back equals what JSON.parse(JSON.stringify(v))
 * gives for the value written; bigint columns arrive as numbers (the pool's
 * type parser), and row ids leave the store as strings.
 */
import type { FailureDetails } from '../../model/failure.ts';
import { isControlEvent, type HistoryEvent, type InboxEvent } from '../../model/history.ts';
import type { InstanceRecord } from '../../model/instance.ts';
import type { RuntimeStatus } from '../../model/runtime-status.ts';
import type { ActivityWorkItem, InboxMessage } from '../store.ts';
import { ORCHESTRATION_WORK } from './notifications.ts';

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

/** An inbox row about to be inserted. */
export interface NewMessage {
  readonly instanceId: string;
  /** NULL for instance-wide events; set for replies that belong to one execution. */
  readonly executionId?: string | undefined;
  readonly visibleAt: number;
  readonly event: InboxEvent;
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

export function toInboxMessage(id: number, executionId: string | null, event: string): InboxMessage {
  return {
    id: String(id),
    ...optional('executionId', executionId ?? undefined),
    event: JSON.parse(event) as InboxEvent,
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

/**
 * The parallel arrays that `unnest` turns back into inbox rows (id order =
 * array order). A message for which `mustExist` holds is inserted only if its
 * instance exists (an outbound message to a missing ID is dropped); it must
 * not hold for a target the same statement writes (see insertMessagesSql).
 */
export function messageColumns(messages: readonly NewMessage[], mustExist: (m: NewMessage) => boolean = never): unknown[] {
  return [
    messages.map((m) => m.instanceId),
    messages.map((m) => m.executionId ?? null),
    messages.map((m) => m.visibleAt),
    // The control flag is derived here and nowhere else: a suspended instance is claimed only for control messages.
    messages.map((m) => isControlEvent(m.event)),
    messages.map((m) => JSON.stringify(m.event)),
    messages.map((m) => mustExist(m)),
  ];
}

const never = () => false;

/**
 * `INSERT INTO inbox` from the arrays of messageColumns() at parameters
 * $n .. $n+5, keeping their order. The existence check takes FOR KEY SHARE on
 * the target row, so a purge (which deletes it) cannot slip in between and
 * leave the message behind. A row updated by the same statement would be
 * skipped by that lock, which is why callers never flag such targets.
 */
export function insertMessagesSql(n: number): string {
  return `INSERT INTO inbox (instance_id, execution_id, visible_at, is_control, event)
    SELECT m.instance_id, m.execution_id, m.visible_at, m.is_control, m.event
    FROM unnest($${n}::text[], $${n + 1}::text[], $${n + 2}::bigint[], $${n + 3}::boolean[], $${n + 4}::text[],
                $${n + 5}::boolean[])
      WITH ORDINALITY AS m(instance_id, execution_id, visible_at, is_control, event, must_exist, ord)
    WHERE NOT m.must_exist
       OR EXISTS (SELECT 1 FROM instances i WHERE i.instance_id = m.instance_id FOR KEY SHARE)
    ORDER BY m.ord`;
}

/** Inserts messages in array order and, if any went in, notifies listeners on commit. */
export function insertMessagesStatement(
  messages: readonly NewMessage[],
  channel: string,
  mustExist?: (m: NewMessage) => boolean,
): [string, unknown[]] {
  return [
    `WITH inserted AS (${insertMessagesSql(1)} RETURNING 1)
     SELECT pg_notify($7, '${ORCHESTRATION_WORK}') FROM (SELECT 1 FROM inserted LIMIT 1) AS any_inserted`,
    [...messageColumns(messages, mustExist), channel],
  ];
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
