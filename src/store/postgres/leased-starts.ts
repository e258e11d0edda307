/**
 * @module postgres/leased-starts
 * Starts that ask for a lease (the starting host runs the first turn without
 * a claim, see worker/start-handoff.ts): the lease a new or replaced row
 * takes, and the work items handed back once the batch's messages are in.
 *
 * What must hold:
 * - A row is leased only for a start visible now, with the token and
 *   delivery count a claim would give (a new row: token 1, one delivery).
 * - A work item holds exactly the messages its own start wrote
 *   (ExecutionStarted, and a signal-with-start's event), with their inbox
 *   ids. Anything else the batch queued for the instance stays in the inbox
 *   and is claimed after the first commit.
 * - Listeners are notified only when some message is not handed back: a
 *   batch whose every start runs on this host wakes no other host's claim.
 */
import type { OrchestrationWorkItem, StartRequest, StartResult } from '../store.ts';
import { optional } from '../row-codec.ts';
import { insertMessagesSql, messageColumns, type InstanceRow, type NewMessage } from './codec.ts';
import type { Sql } from './database.ts';
import { ORCHESTRATION_WORK } from './notifications.ts';

/** An instance row as written, with the lease owner the shared row type leaves out. */
export type LeasableRow = InstanceRow & { readonly lease_owner: string | null };

/** The lease a start takes: none for a delayed start, which is claimed when it falls due. */
export function startLease(request: StartRequest): { owner: string | null; expiresAt: number } {
  const lease = (request.visibleAt ?? request.now) <= request.now ? request.lease : undefined;
  return { owner: lease?.owner ?? null, expiresAt: lease?.expiresAt ?? 0 };
}

/** A request's queued messages, in request order. */
export type QueuedStarts = readonly (readonly [index: number, messages: readonly NewMessage[]])[];

/**
 * Inserts the batch's messages and, for each start this batch leased, puts
 * its work item into `results` (same index as the request). Call inside the
 * start's transaction, after every row decision.
 */
export async function insertStartMessages(
  sql: Sql,
  queued: QueuedStarts,
  leased: ReadonlyMap<number, LeasableRow>,
  results: (StartResult | undefined)[],
  channel: string,
  notices: readonly NewMessage[] = [],
): Promise<void> {
  // Notices (to a replaced execution's parent) go last, and only to a parent that still exists.
  const messages = [...queued.flatMap(([, q]) => q), ...notices];
  if (messages.length === 0) return;
  const notice = new Set(notices);
  const notify = mustNotify(queued, leased, messages.length);
  const ids = await insertReturningIds(sql, messages, (m) => notice.has(m), notify, channel);
  attachWorkItems(queued, leased, results, ids);
}

/** Whether some of the `total` messages queued are not handed back to this host, so other hosts must hear of them. */
export function mustNotify(queued: QueuedStarts, leased: { has(index: number): boolean }, total: number): boolean {
  const handedBack = queued.reduce((n, [index, q]) => n + (leased.has(index) ? visibleWithStart(q).length : 0), 0);
  return handedBack < total;
}

/** Puts each leased start's work item into `results` (same index as its request); `ids` are the queued messages' inbox ids, in order. */
export function attachWorkItems(
  queued: QueuedStarts,
  leased: ReadonlyMap<number, LeasableRow>,
  results: (StartResult | undefined)[],
  ids: readonly number[],
): void {
  let position = 0;
  for (const [index, q] of queued) {
    const row = leased.get(index);
    if (row)
      results[index] = {
        ...(results[index] as StartResult & { outcome: 'created' | 'replaced' }),
        workItem: workItem(row, q, ids.slice(position)),
      };
    position += q.length;
  }
}

/** Ids in message order (the INSERT takes them from the sequence in its ORDER BY order); a dropped notice has none. */
async function insertReturningIds(
  sql: Sql,
  messages: readonly NewMessage[],
  mustExist: (m: NewMessage) => boolean,
  notify: boolean,
  channel: string,
): Promise<number[]> {
  const rows = await sql.rows<{ id: number | null }>(
    `WITH inserted AS (${insertMessagesSql(1)} RETURNING id)
     SELECT id FROM inserted
     UNION ALL
     SELECT NULL::bigint FROM pg_notify($7, '${ORCHESTRATION_WORK}') WHERE $8::boolean`,
    [...messageColumns(messages, mustExist), channel, notify],
  );
  return rows.flatMap((row) => (row.id === null ? [] : [row.id])).sort((a, b) => a - b);
}

/** What a claim at the start would see: not the execution timeout's termination, visible only when due. */
function visibleWithStart(messages: readonly NewMessage[]): readonly NewMessage[] {
  return messages.filter((m) => m.visibleAt <= messages[0]!.visibleAt);
}

function workItem(row: LeasableRow, queued: readonly NewMessage[], ids: readonly number[]): OrchestrationWorkItem {
  const messages = visibleWithStart(queued);
  return {
    instanceId: row.instance_id,
    name: row.name,
    executionId: row.execution_id,
    runtimeStatus: row.runtime_status,
    historyLength: 0,
    leaseToken: row.lease_token,
    deliveries: row.deliveries,
    messages: messages.map((m) => ({ id: String(ids[queued.indexOf(m)]), ...optional('executionId', m.executionId), event: m.event })),
  };
}
