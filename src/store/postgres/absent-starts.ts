/**
 * @module postgres/absent-starts
 * The common start in one round trip: a batch whose every ID is new runs as
 * one autocommit call of `perdure_start_absent` (migration 13, decision
 * 0039) instead of a five-statement transaction.
 *
 * What must hold:
 * - The call does exactly what startInstances does for a batch of absent
 *   IDs: the same rows, leases, messages (in request order), notification
 *   and work items. Anything that needs a decision (an ID that exists, a
 *   tombstone, one ID twice in the batch) is left to startInstances: the
 *   call then changes nothing (its subtransaction is rolled back, and it
 *   returns NULL) and the caller runs the full transaction.
 * - The tombstone check runs after the INSERT with a fresh snapshot, as in
 *   the full transaction (tombstones.ts): the function's statements each
 *   take their own snapshot.
 */
import type { StartRequest, StartResult } from '../store.ts';
import { messageColumns, toInstanceRecord } from './codec.ts';
import type { Database } from './database.ts';
import { absentRowColumns, startedMessages, startInstances } from './instances.ts';
import { attachWorkItems, mustNotify, startLease, type LeasableRow, type QueuedStarts } from './leased-starts.ts';
import { ORCHESTRATION_WORK } from './notifications.ts';

const CALL = `SELECT perdure_start_absent(${Array.from({ length: 20 }, (_, i) => `$${i + 1}`).join(', ')}) AS started`;

/** Start-if-absent for a batch: one call when every ID is new, else the full start transaction. */
export async function createInstances(db: Database, requests: readonly StartRequest[], channel: string): Promise<StartResult[]> {
  return (await startAbsent(db, requests, channel)) ?? db.transaction((sql) => startInstances(sql, requests, channel));
}

/** The results of starting a batch of new IDs, or undefined when startInstances must decide (nothing was written). */
export async function startAbsent(db: Database, requests: readonly StartRequest[], channel: string): Promise<StartResult[] | undefined> {
  if (new Set(requests.map((r) => r.instanceId)).size !== requests.length) return undefined;
  const queued: QueuedStarts = requests.map((request, index) => [index, startedMessages(request)]);
  const messages = queued.flatMap(([, q]) => q);
  const leased = new Map<number, LeasableRow>();
  const leasing = new Set(requests.flatMap((request, index) => (startLease(request).owner === null ? [] : [index])));
  const notify = mustNotify(queued, leasing, messages.length);
  const params = [...absentRowColumns(requests), ...messageColumns(messages).slice(0, 5), channel, ORCHESTRATION_WORK, notify];
  const started = await callStartAbsent(db, params);
  if (!started) return undefined;
  const rows = new Map(started.rows.map((row) => [row.instance_id, row]));
  const results: StartResult[] = requests.map((request, index) => {
    const row = rows.get(request.instanceId)!;
    if (row.lease_owner !== null) leased.set(index, row);
    return { outcome: 'created', instance: toInstanceRecord(row) };
  });
  attachWorkItems(queued, leased, results, started.ids ?? []);
  return results;
}

interface Started {
  readonly rows: LeasableRow[];
  /** The queued messages' inbox ids, ascending (their order); null when none were queued. */
  readonly ids: number[] | null;
}

/** NULL from the function: the batch needs the full start transaction, and nothing was written. */
async function callStartAbsent(db: Database, params: unknown[]): Promise<Started | undefined> {
  const [row] = await db.statement<{ started: Started | null }>(CALL, params, { prepare: true });
  return row!.started ?? undefined;
}
