/**
 * @module sqlite/codec
 * The SQLite side of the row mapping: what only this database's rows need
 * (inbox rows and the integer control flag). What both SQL
 * stores share (instance and activity rows, JSON columns, row ids, the
 * ExecutionStarted event) is in ../row-codec.ts and re-exported from here.
 *
 * What must hold: row ids leave the store as strings; SQL NULL means "absent".
 */
import { isControlEvent, type InboxEvent } from '../../model/history.ts';
import { optional, type InstanceRow as SharedInstanceRow } from '../row-codec.ts';
import type { InboxMessage } from '../store.ts';

export { executionStarted, fromJson, toActivityWorkItem, toHistoryEvents, toInstanceRecord, toJson, toRowId } from '../row-codec.ts';
export type { ActivityRow } from '../row-codec.ts';

/** SQLite reads the whole row, lease columns included (the lease is checked in code, inside the transaction). */
export interface InstanceRow extends SharedInstanceRow {
  readonly lease_owner: string | null;
  readonly lease_expires_at: number;
}

export interface InboxRow {
  readonly id: number;
  readonly execution_id: string | null;
  readonly event: string;
}

export function toInboxMessage(row: InboxRow): InboxMessage {
  return {
    id: String(row.id),
    ...optional('executionId', row.execution_id ?? undefined),
    event: JSON.parse(row.event) as InboxEvent,
  };
}

export function controlFlag(event: InboxEvent): 0 | 1 {
  return isControlEvent(event) ? 1 : 0;
}
