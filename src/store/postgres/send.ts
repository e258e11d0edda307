/**
 * @module postgres/send
 * Owns client messages (raise event, terminate, suspend, resume, rewind):
 * each is queued only if its instance has one of the required statuses.
 *
 * What must hold:
 * - The status is read under FOR SHARE on the instance row, in the same
 *   transaction as the insert: a turn that changes the status (which holds
 *   FOR NO KEY UPDATE on the row) cannot commit between the check and the insert.
 * - Rows are locked in instance-ID order, so batches never deadlock each other.
 * - Messages are decided and queued in request order.
 */
import type { RuntimeStatus } from '../../model/runtime-status.ts';
import type { ClientMessage, SendResult } from '../store.ts';
import { insertMessagesStatement, type NewMessage } from './codec.ts';
import type { Sql } from './database.ts';

export async function sendMessages(sql: Sql, messages: readonly ClientMessage[], channel: string): Promise<SendResult[]> {
  if (messages.length === 0) return [];
  const ids = [...new Set(messages.map((message) => message.instanceId))];
  const rows = await sql.rows<{ instance_id: string; runtime_status: RuntimeStatus }>(
    'SELECT instance_id, runtime_status FROM instances WHERE instance_id = ANY($1::text[]) ORDER BY instance_id FOR SHARE',
    [ids],
  );
  const statuses = new Map(rows.map((row) => [row.instance_id, row.runtime_status]));
  const accepted: NewMessage[] = [];
  const results = messages.map((message): SendResult => {
    const status = statuses.get(message.instanceId);
    if (status === undefined) return { outcome: 'notFound' };
    if (!message.requireStatus.includes(status)) return { outcome: 'wrongStatus', runtimeStatus: status };
    accepted.push({ instanceId: message.instanceId, visibleAt: message.now, event: message.event });
    return { outcome: 'sent' };
  });
  if (accepted.length > 0) await sql.rows(...insertMessagesStatement(accepted, channel));
  return results;
}
