/**
 * @module postgres/instances
 * Owns instance rows: start-if-absent for a batch of requests (with its
 * conflict policies), and reading an instance's history.
 *
 * What must hold:
 * - The instance ID is the primary key, and every decision about an existing
 *   row is made while this transaction holds that row's lock (FOR NO KEY
 *   UPDATE, or our own uncommitted INSERT), so at most one live instance
 *   exists per ID whatever the race between hosts.
 * - Rows are locked in instance-ID order (the INSERT and the SELECT ... FOR
 *   NO KEY UPDATE both sort), so two batches rarely wait for each other in a
 *   cycle; a deadlock that still happens (a batch mixing inserts and locks)
 *   is rolled back by PostgreSQL and retried whole by the caller's transaction.
 * - Requests are decided in request order: a later request for the same ID
 *   sees what an earlier one did. ExecutionStarted messages are queued in
 *   request order too, since their ids set the order in which claims see them.
 * - Replacing an instance bumps its lease token, so a worker that is still
 *   mid-turn on the old execution is fenced out at commit; replacing a live
 *   child tells its parent in the same transaction (replaced-parent.ts).
 * - A created row is checked against the tombstones in the same transaction,
 *   after the INSERT (tombstones.ts says why then), and removed again if a
 *   tombstone refuses its start: no start ever takes a tombstoned ID unasked.
 */
import { PerdureError } from '../../model/errors.ts';
import type { HistoryEvent, InboxEvent, ParentRef } from '../../model/history.ts';
import { replacedParentNotice, startedParentIn } from '../replaced-parent.ts';
import { isLiveStatus, RuntimeStatus } from '../../model/runtime-status.ts';
import { encodePendingStart } from '../pending-start.ts';
import { decideStart, tombstoneAllowsStart, tombstoneConflict, type ExistingStart, type StartDecision } from '../start-policy.ts';
import type { CreateIfMissing, StartRequest, StartResult, Tombstone } from '../store.ts';
import { executionStarted, toHistoryEvents, toInstanceRecord, toJson, type InstanceRow, type NewMessage } from './codec.ts';
import type { Sql } from './database.ts';
import { insertStartMessages, startLease, type LeasableRow, type QueuedStarts } from './leased-starts.ts';
import { deleteTombstones, lockTombstones } from './tombstones.ts';

/** Attempts to find or create every row; a row can vanish between the INSERT and the lock (purge). */
const MAX_LOCK_ROUNDS = 10;

/** Start-if-absent for a batch; call inside a transaction. Queues the ExecutionStarted messages and notifies. */
export async function startInstances(sql: Sql, requests: readonly StartRequest[], channel: string): Promise<StartResult[]> {
  if (requests.length === 0) return [];
  const { rows, createdBy } = await lockOrCreate(sql, requests);
  const tombstoned = await settleTombstones(sql, requests, createdBy);
  const starts = new Map<number, NewMessage[]>();
  const notices: NewMessage[] = [];
  const results: (StartResult | undefined)[] = [];
  const deferred = new Map<number, StartRequest>();
  for (const [index, request] of requests.entries()) {
    const tombstone = tombstoned.get(request.instanceId);
    if (tombstone !== undefined) {
      // The ID's creating request was refused by a tombstone: the ID has no row. A later request allowed to
      // take it (and every request for it after that one) starts in a second round, once the tombstone is gone.
      const after = [...deferred.values()].some((d) => d.instanceId === request.instanceId);
      const takes = after || tombstoneAllowsStart(tombstone, request);
      if (takes) deferred.set(index, request);
      results.push(takes ? undefined : tombstoneConflict(tombstone));
      continue;
    }
    const row = rows.get(request.instanceId)!;
    if (createdBy.get(request.instanceId) === index) {
      results.push({ outcome: 'created', instance: toInstanceRecord(row) });
      starts.set(index, startedMessages(request));
      continue;
    }
    const decision = decideStart(existingStart(row), request);
    if (decision.kind !== 'replace') {
      results.push(await answerExisting(sql, request, row, decision, (message) => starts.set(index, [message])));
      continue;
    }
    const parent = isLiveStatus(row.runtime_status) ? await replacedParent(sql, row) : undefined;
    if (parent !== undefined) notices.push(replacedParentNotice(parent, request.now));
    const replaced = await replaceInstance(sql, request);
    rows.set(request.instanceId, replaced);
    // The replacement wiped the instance's inbox, which includes starts queued earlier in this batch.
    for (const [queued, messages] of starts) if (messages[0]!.instanceId === request.instanceId) starts.delete(queued);
    starts.set(index, startedMessages(request));
    results.push({ outcome: 'replaced', instance: toInstanceRecord(replaced) });
  }
  const queued = [...starts.entries()].sort(([a], [b]) => a - b);
  await insertStartMessages(sql, queued, leasedStarts(queued, requests, rows), results, channel, notices);
  return fillDeferred(sql, results, deferred, channel);
}

/**
 * Checks the created IDs for tombstones (a statement after the INSERT: see
 * tombstones.ts). A creating request allowed to take a tombstoned ID removes
 * the tombstone; one refused removes the row it created. Returns the
 * tombstones of the refused IDs.
 */
async function settleTombstones(sql: Sql, requests: readonly StartRequest[], createdBy: Map<string, number>) {
  const refused = new Map<string, Tombstone>();
  if (createdBy.size === 0) return refused;
  const tombstones = await lockTombstones(sql, [...createdBy.keys()]);
  if (tombstones.size === 0) return refused;
  const freed: string[] = [];
  for (const [id, tombstone] of tombstones) {
    if (tombstoneAllowsStart(tombstone, requests[createdBy.get(id)!]!)) freed.push(id);
    else refused.set(id, tombstone);
  }
  await deleteTombstones(sql, freed);
  if (refused.size > 0) await sql.rows('DELETE FROM instances WHERE instance_id = ANY($1::text[])', [[...refused.keys()]]);
  return refused;
}

/** Starts the requests deferred behind a tombstone (see startInstances), now that their tombstones can go. */
async function fillDeferred(
  sql: Sql,
  results: (StartResult | undefined)[],
  deferred: Map<number, StartRequest>,
  channel: string,
): Promise<StartResult[]> {
  if (deferred.size > 0) {
    await deleteTombstones(sql, [...new Set([...deferred.values()].map((r) => r.instanceId))]);
    const later = await startInstances(sql, [...deferred.values()], channel);
    [...deferred.keys()].forEach((index, i) => (results[index] = later[i]));
  }
  return results as StartResult[];
}

/** The starts this batch leased (by request index): their row is still theirs, and leased. */
function leasedStarts(queued: QueuedStarts, requests: readonly StartRequest[], rows: ReadonlyMap<string, LeasableRow>) {
  const leased = new Map<number, LeasableRow>();
  for (const [index] of queued) {
    const request = requests[index]!;
    const row = rows.get(request.instanceId)!;
    if (row.lease_owner !== null && row.execution_id === request.executionId) leased.set(index, row);
  }
  return leased;
}

/** The parent of the live execution about to be replaced, from its first history row or its queued start. */
async function replacedParent(sql: Sql, row: InstanceRow): Promise<ParentRef | undefined> {
  if (row.parent_instance_id === null) return undefined;
  const [first] = await sql.rows<{ events: string }>('SELECT events FROM history WHERE instance_id = $1 ORDER BY seq LIMIT 1', [
    row.instance_id,
  ]);
  if (first !== undefined) return startedParentIn(toHistoryEvents(first.events), row.execution_id);
  const queued = await sql.rows<{ event: string }>('SELECT event FROM inbox WHERE instance_id = $1 AND execution_id = $2', [
    row.instance_id,
    row.execution_id,
  ]);
  return startedParentIn(
    queued.map((q) => JSON.parse(q.event) as InboxEvent),
    row.execution_id,
  );
}

function existingStart(row: InstanceRow): ExistingStart {
  return { runtimeStatus: row.runtime_status, name: row.name, requestId: row.request_id, inputHash: row.input_hash };
}

/** An ID that stays as it is: answer it, deliver a signal-with-start event to a live instance, or queue the start. */
async function answerExisting(
  sql: Sql,
  request: StartRequest,
  row: InstanceRow,
  decision: Exclude<StartDecision, { kind: 'replace' }>,
  queueEvent: (message: NewMessage) => void,
): Promise<StartResult> {
  const instance = toInstanceRecord(row);
  if (decision.kind === 'conflict') return { outcome: 'conflict', instance, reason: decision.reason };
  if (decision.kind === 'queue') {
    await sql.rows(
      `INSERT INTO pending_starts (instance_id, request, queued_at) VALUES ($1, $2, $3)
       ON CONFLICT (instance_id) DO UPDATE SET request = excluded.request, queued_at = excluded.queued_at`,
      [request.instanceId, encodePendingStart(request), request.now],
    );
    return { outcome: 'queued', instance };
  }
  const delivered = request.event !== undefined && isLiveStatus(row.runtime_status);
  if (delivered) queueEvent(eventMessage(request, request.event));
  return {
    outcome: 'existing',
    instance,
    ...(decision.sameRequest ? { sameRequest: true } : {}),
    ...(request.event === undefined ? {} : { eventDelivered: delivered }),
  };
}

/**
 * Inserts the first request of every absent ID and locks every existing row.
 * Returns each ID's row and, for inserted ones, the index of the request that created it.
 */
async function lockOrCreate(sql: Sql, requests: readonly StartRequest[]) {
  const firstIndex = new Map<string, number>();
  requests.forEach((request, index) => {
    if (!firstIndex.has(request.instanceId)) firstIndex.set(request.instanceId, index);
  });
  const rows = new Map<string, LeasableRow>();
  const createdBy = new Map<string, number>();
  let pending = [...firstIndex.keys()];
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_LOCK_ROUNDS) throw new PerdureError(`Could not lock or create instances: ${pending.slice(0, 5).join(', ')}`);
    const inserted: LeasableRow[] = await insertAbsent(
      sql,
      pending.map((id) => requests[firstIndex.get(id)!]!),
    );
    for (const row of inserted) {
      rows.set(row.instance_id, row);
      createdBy.set(row.instance_id, firstIndex.get(row.instance_id)!);
    }
    const existing = pending.filter((id) => !rows.has(id));
    if (existing.length === 0) break;
    const locked = await sql.rows<LeasableRow>(
      'SELECT * FROM instances WHERE instance_id = ANY($1::text[]) ORDER BY instance_id FOR NO KEY UPDATE',
      [existing],
    );
    for (const row of locked) rows.set(row.instance_id, row);
    pending = existing.filter((id) => !rows.has(id));
  }
  return { rows, createdBy };
}

/**
 * Creates an idle Pending row for each target that asks for it
 * (CreateIfMissing) and does not exist; one INSERT, in ID order, existing
 * rows skipped and not locked.
 */
export async function ensureInstances(
  sql: Sql,
  targets: readonly { readonly instanceId: string; readonly createIfMissing?: CreateIfMissing | undefined }[],
  now: number,
): Promise<void> {
  const wanted = new Map<string, CreateIfMissing>();
  for (const t of targets) if (t.createIfMissing && !wanted.has(t.instanceId)) wanted.set(t.instanceId, t.createIfMissing);
  if (wanted.size === 0) return;
  let ids = [...wanted.keys()].sort();
  // Each round creates what is missing, then holds the rows (KEY SHARE) so that a concurrent purge cannot delete
  // them before this transaction's messages are in; a row purged between the two statements is created again.
  while (ids.length > 0) {
    await sql.rows(
      `INSERT INTO instances (instance_id, name, execution_id, runtime_status, created_at, updated_at, history_length)
       SELECT instance_id, name, execution_id, $4, $5, $5, 0
       FROM unnest($1::text[], $2::text[], $3::text[]) AS r(instance_id, name, execution_id)
       ORDER BY instance_id COLLATE "C"
       ON CONFLICT (instance_id) DO NOTHING`,
      [ids, ids.map((id) => wanted.get(id)!.name), ids.map((id) => wanted.get(id)!.executionId), RuntimeStatus.Pending, now],
    );
    const held = await sql.rows<{ instance_id: string }>(
      'SELECT instance_id FROM instances WHERE instance_id = ANY($1::text[]) ORDER BY instance_id FOR KEY SHARE',
      [ids],
    );
    const present = new Set(held.map((row) => row.instance_id));
    ids = ids.filter((id) => !present.has(id));
  }
}

/** One INSERT for many IDs, in ID order; rows that already exist are skipped, not locked. */
async function insertAbsent(sql: Sql, requests: readonly StartRequest[]): Promise<LeasableRow[]> {
  return sql.rows<LeasableRow>(
    `INSERT INTO instances (instance_id, name, execution_id, runtime_status, input, parent_instance_id,
                            created_at, updated_at, history_length, request_id, input_hash, keep_tombstone,
                            lease_owner, lease_expires_at, lease_token, deliveries)
     SELECT instance_id, name, execution_id, $7, input, parent_instance_id, created_at, created_at, 0, request_id, input_hash, keep_tombstone,
            lease_owner, lease_expires_at, CASE WHEN lease_owner IS NULL THEN 0 ELSE 1 END,
            CASE WHEN lease_owner IS NULL THEN 0 ELSE 1 END
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $8::text[], $9::text[],
                 $10::text[], $11::bigint[], $12::boolean[])
       AS r(instance_id, name, execution_id, input, parent_instance_id, created_at, request_id, input_hash,
            lease_owner, lease_expires_at, keep_tombstone)
     ORDER BY instance_id COLLATE "C"
     ON CONFLICT (instance_id) DO NOTHING
     RETURNING *`,
    absentRowColumns(requests),
  );
}

/** The parallel arrays of new instance rows, at $1..$12 ($7 the Pending status), for insertAbsent and absent-starts.ts. */
export function absentRowColumns(requests: readonly StartRequest[]): unknown[] {
  const leases = requests.map(startLease);
  return [
    requests.map((r) => r.instanceId),
    requests.map((r) => r.name),
    requests.map((r) => r.executionId),
    requests.map((r) => toJson(r.input)),
    requests.map((r) => r.parent?.instanceId ?? null),
    requests.map((r) => r.now),
    RuntimeStatus.Pending,
    requests.map((r) => r.requestId ?? null),
    requests.map((r) => r.inputHash ?? null),
    leases.map((l) => l.owner),
    leases.map((l) => l.expiresAt),
    requests.map((r) => r.keepTombstone === true),
  ];
}

/**
 * Wipes the old execution and resets the (locked) row to the new one. The
 * tasks go first, in their own statement: it waits for completions in flight,
 * so the inbox delete that follows (a new snapshot) also takes their results.
 */
async function replaceInstance(sql: Sql, request: StartRequest): Promise<LeasableRow> {
  await sql.rows('DELETE FROM activities WHERE instance_id = $1', [request.instanceId]);
  const lease = startLease(request);
  const [row] = await sql.rows<LeasableRow>(
    `WITH h AS (DELETE FROM history WHERE instance_id = $1),
          m AS (DELETE FROM inbox WHERE instance_id = $1),
          e AS (DELETE FROM event_ids WHERE instance_id = $1)
     UPDATE instances SET
       name = $2, execution_id = $3, runtime_status = $4, input = $5,
       output = NULL, custom_status = NULL, failure = NULL, parent_instance_id = $6,
       created_at = $7, updated_at = $7, completed_at = NULL, history_length = 0,
       lease_owner = $10, lease_expires_at = $11, lease_token = lease_token + 1,
       deliveries = CASE WHEN $10::text IS NULL THEN 0 ELSE 1 END,
       request_id = $8, input_hash = $9, keep_tombstone = $12
     WHERE instance_id = $1
     RETURNING *`,
    [
      request.instanceId,
      request.name,
      request.executionId,
      RuntimeStatus.Pending,
      toJson(request.input),
      request.parent?.instanceId ?? null,
      request.now,
      request.requestId ?? null,
      request.inputHash ?? null,
      lease.owner,
      lease.expiresAt,
      request.keepTombstone === true,
    ],
  );
  return row!;
}

function eventMessage(request: StartRequest, event: InboxEvent): NewMessage {
  return { instanceId: request.instanceId, executionId: undefined, visibleAt: request.now, event };
}

/** ExecutionStarted, a signal-with-start's event after it, and the execution timeout's termination. */
export function startedMessages(request: StartRequest): NewMessage[] {
  const messages = [startedMessage(request)];
  if (request.event !== undefined) messages.push(eventMessage(request, request.event));
  // The execution timeout: instance-wide (a continue-as-new keeps it, a replacement's wipe drops it), visible when due.
  if (request.deadline !== undefined) {
    const { at, event } = request.deadline;
    messages.push({ instanceId: request.instanceId, executionId: undefined, visibleAt: at, event });
  }
  return messages;
}

function startedMessage(request: StartRequest): NewMessage {
  return {
    instanceId: request.instanceId,
    executionId: request.executionId,
    visibleAt: request.visibleAt ?? request.now,
    event: executionStarted({
      now: request.now,
      name: request.name,
      executionId: request.executionId,
      input: request.input,
      parent: request.parent,
      trace: request.trace,
      version: request.version,
    }),
  };
}

export async function readHistory(sql: Sql, instanceId: string): Promise<HistoryEvent[]> {
  const rows = await sql.rows<{ events: string }>('SELECT events FROM history WHERE instance_id = $1 ORDER BY seq', [instanceId]);
  return rows.flatMap((row) => toHistoryEvents(row.events));
}
