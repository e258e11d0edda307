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
 * - An event ID is recorded in the transaction that queues its message, and
 *   checked before the status, so a retried raise is never queued twice,
 *   even when the retry races the first send.
 */
import type { RuntimeStatus } from '../../model/runtime-status.ts';
import type { ClientMessage, SendResult } from '../store.ts';
import { insertMessagesStatement, type NewMessage } from './codec.ts';
import type { Sql } from './database.ts';
import { ensureInstances } from './instances.ts';

export async function sendMessages(sql: Sql, messages: readonly ClientMessage[], channel: string): Promise<SendResult[]> {
  if (messages.length === 0) return [];
  await ensureInstances(sql, messages, messages[0]!.now);
  const ids = [...new Set(messages.map((message) => message.instanceId))];
  const rows = await sql.rows<{ instance_id: string; runtime_status: RuntimeStatus }>(
    'SELECT instance_id, runtime_status FROM instances WHERE instance_id = ANY($1::text[]) ORDER BY instance_id FOR SHARE',
    [ids],
  );
  const statuses = new Map(rows.map((row) => [row.instance_id, row.runtime_status]));
  const seen = await readFingerprints(
    sql,
    messages.filter((message) => statuses.has(message.instanceId)),
  );
  const decided = messages.map((message): SendResult => {
    const status = statuses.get(message.instanceId);
    if (status === undefined) return { outcome: 'notFound' };
    const earlier = message.eventId === undefined ? undefined : seen.get(eventKey(message.instanceId, message.eventId.id));
    if (earlier !== undefined) return { outcome: earlier === message.eventId!.fingerprint ? 'duplicate' : 'eventIdConflict' };
    if (!message.requireStatus.includes(status)) return { outcome: 'wrongStatus', runtimeStatus: status };
    // A second message with the same ID in this batch is a retry of the first.
    if (message.eventId !== undefined) seen.set(eventKey(message.instanceId, message.eventId.id), message.eventId.fingerprint);
    return { outcome: 'sent' };
  });
  const results = await claimEventIds(sql, messages, decided);
  const accepted: NewMessage[] = messages
    .filter((_, i) => results[i]!.outcome === 'sent')
    .map((message) => ({ instanceId: message.instanceId, visibleAt: message.visibleAt ?? message.now, event: message.event }));
  if (accepted.length > 0) await sql.rows(...insertMessagesStatement(accepted, channel));
  return results;
}

function eventKey(instanceId: string, eventId: string): string {
  return JSON.stringify([instanceId, eventId]);
}

async function readFingerprints(sql: Sql, messages: readonly ClientMessage[]): Promise<Map<string, string>> {
  const keyed = messages.filter((message) => message.eventId !== undefined);
  if (keyed.length === 0) return new Map();
  const rows = await sql.rows<{ instance_id: string; event_id: string; fingerprint: string }>(
    `SELECT e.instance_id, e.event_id, e.fingerprint FROM event_ids e
     JOIN unnest($1::text[], $2::text[]) AS k(instance_id, event_id) USING (instance_id, event_id)`,
    [keyed.map((message) => message.instanceId), keyed.map((message) => message.eventId!.id)],
  );
  return new Map(rows.map((row) => [eventKey(row.instance_id, row.event_id), row.fingerprint]));
}

/**
 * Records the event IDs of the messages about to be sent. Concurrent sends
 * of one ID both pass the read above; the unique key makes the later insert
 * wait for the earlier transaction, and if that committed, the later message
 * becomes a duplicate (or a conflict) instead of a second delivery.
 */
async function claimEventIds(sql: Sql, messages: readonly ClientMessage[], decided: SendResult[]): Promise<SendResult[]> {
  const keyed = messages.flatMap((message, i) => (decided[i]!.outcome === 'sent' && message.eventId !== undefined ? [{ message, i }] : []));
  if (keyed.length === 0) return decided;
  const inserted = await sql.rows<{ instance_id: string; event_id: string }>(
    `INSERT INTO event_ids (instance_id, event_id, fingerprint)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ORDER BY 1, 2
     ON CONFLICT (instance_id, event_id) DO NOTHING RETURNING instance_id, event_id`,
    [keyed.map((k) => k.message.instanceId), keyed.map((k) => k.message.eventId!.id), keyed.map((k) => k.message.eventId!.fingerprint)],
  );
  const mine = new Set(inserted.map((row) => eventKey(row.instance_id, row.event_id)));
  const lost = keyed.filter(({ message }) => !mine.has(eventKey(message.instanceId, message.eventId!.id)));
  if (lost.length === 0) return decided;
  const winners = await readFingerprints(
    sql,
    lost.map((k) => k.message),
  );
  const results = [...decided];
  for (const { message, i } of lost) {
    const fingerprint = winners.get(eventKey(message.instanceId, message.eventId!.id));
    results[i] = { outcome: fingerprint === message.eventId!.fingerprint ? 'duplicate' : 'eventIdConflict' };
  }
  return results;
}
