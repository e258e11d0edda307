/**
 * @module postgres/codec
 * The PostgreSQL side of the row mapping: what only this database's rows need
 * (inbox rows, and the parallel arrays that unnest turns back into inbox rows). What both SQL
 * stores share (instance and activity rows, JSON columns, row ids, the
 * ExecutionStarted event) is in ../row-codec.ts and re-exported from here.
 *
 * What must hold: bigint columns arrive as numbers (the pool's type parser); SQL NULL means "absent".
 */
import { isControlEvent, type InboxEvent } from '../../model/history.ts';
import { optional } from '../row-codec.ts';
import type { InboxMessage } from '../store.ts';
import { ORCHESTRATION_WORK } from './notifications.ts';

export { executionStarted, fromJson, toActivityWorkItem, toHistoryEvents, toInstanceRecord, toJson, toRowId } from '../row-codec.ts';
export type { ActivityRow, InstanceRow } from '../row-codec.ts';

/** An inbox row about to be inserted. */
export interface NewMessage {
  readonly instanceId: string;
  /** NULL for instance-wide events; set for replies that belong to one execution. */
  readonly executionId?: string | undefined;
  readonly visibleAt: number;
  readonly event: InboxEvent;
}

export function toInboxMessage(id: number, executionId: string | null, event: string): InboxMessage {
  return {
    id: String(id),
    ...optional('executionId', executionId ?? undefined),
    event: JSON.parse(event) as InboxEvent,
  };
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
 * $n .. $n+5, keeping their order, if the SQL condition `guard` holds. The existence check takes FOR KEY SHARE on
 * the target row, so a purge (which deletes it) cannot slip in between and
 * leave the message behind. A row updated by the same statement would be
 * skipped by that lock, which is why callers never flag such targets.
 */
export function insertMessagesSql(n: number, guard = 'true'): string {
  return `INSERT INTO inbox (instance_id, execution_id, visible_at, is_control, event)
    SELECT m.instance_id, m.execution_id, m.visible_at, m.is_control, m.event
    FROM unnest($${n}::text[], $${n + 1}::text[], $${n + 2}::bigint[], $${n + 3}::boolean[], $${n + 4}::text[],
                $${n + 5}::boolean[])
      WITH ORDINALITY AS m(instance_id, execution_id, visible_at, is_control, event, must_exist, ord)
    WHERE ${guard} AND (NOT m.must_exist
       OR EXISTS (SELECT 1 FROM instances i WHERE i.instance_id = m.instance_id FOR KEY SHARE))
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
