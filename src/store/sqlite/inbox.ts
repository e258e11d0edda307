/**
 * @module sqlite/inbox
 * Owns writes to the inbox table, the one queue every orchestration input
 * goes through (starts, client events, task results, timers, child results).
 *
 * What must hold: a message's control flag is derived from its event here and
 * nowhere else, because a suspended instance is claimed only for control messages.
 */
import type { InboxEvent } from '../../model/history.ts';
import { controlFlag } from './codec.ts';
import type { Connection } from './database.ts';

export interface NewMessage {
  readonly instanceId: string;
  /** NULL for instance-wide events; set for replies that belong to one execution. */
  readonly executionId?: string | undefined;
  readonly visibleAt: number;
  readonly event: InboxEvent;
}

/** Queues a message; returns its row id. */
export function insertMessage(connection: Connection, message: NewMessage): number {
  const { lastInsertRowid } = connection
    .statement(
      `INSERT INTO inbox (instance_id, execution_id, visible_at, is_control, event)
       VALUES (@instanceId, @executionId, @visibleAt, @isControl, @event)`,
    )
    .run({
      instanceId: message.instanceId,
      executionId: message.executionId ?? null,
      visibleAt: message.visibleAt,
      isControl: controlFlag(message.event),
      event: JSON.stringify(message.event),
    });
  return Number(lastInsertRowid);
}

/** Deletes everything stored for an instance except its row: history, inbox, activities and event IDs. */
export function deleteInstanceData(connection: Connection, instanceId: string): void {
  connection.statement('DELETE FROM history WHERE instance_id = ?').run(instanceId);
  connection.statement('DELETE FROM event_ids WHERE instance_id = ?').run(instanceId);
  connection.statement('DELETE FROM inbox WHERE instance_id = ?').run(instanceId);
  connection.statement('DELETE FROM activities WHERE instance_id = ?').run(instanceId);
}
