/**
 * @module postgres/orchestration-commit
 * Owns applying a batch of orchestration turns in one transaction: consumed
 * messages, new history, status, scheduled activities, child starts,
 * outbound messages and continue-as-new. The batch is applied set-wise
 * (one statement for all its units, apply-turns.ts), because a host commits
 * thousands of turns a second and round trips are the cost. The common batch
 * (no child starts, no instance created by a message) is that one statement alone, in
 * autocommit: it fences itself, so it needs no BEGIN, no separate lock and no
 * COMMIT round trip. Anything else, or a batch the statement refuses, takes
 * the transaction below.
 *
 * What must hold:
 * - Fencing: the instance rows of the batch are locked (FOR NO KEY UPDATE, in ID
 *   order) and a unit is applied only if its row's lease_token and
 *   execution_id still equal those of the claim. Otherwise nothing of it is
 *   written and it reports `leaseLost`; the other units go on.
 * - Within a unit the writes keep the SQLite store's order: continue-as-new
 *   resets the execution first (its new ExecutionStarted precedes anything
 *   else the turn queues for the instance), then activities, then child
 *   starts, then outbound messages (so a message to a child started in the
 *   same turn follows the child's ExecutionStarted and survives a replacement).
 * - Units of one batch are turns of different instances; if an instance
 *   appears twice, the units are applied one after another instead, so the
 *   second sees the history the first appended.
 * - Outbound messages to an instance ID that does not exist are dropped (as
 *   the SQLite store does), unless they ask to create it (`createIfMissing`:
 *   created by a statement before the others); the check locks the target
 *   row FOR KEY SHARE.
 * - Instance rows are locked FOR NO KEY UPDATE (no key ever changes), which
 *   does not conflict with that KEY SHARE: two batches that message each
 *   other's instances never wait for each other.
 * - Listeners are notified (on commit) when the batch queued work.
 * - A drain (`drainOnly`: late messages to a finished instance) deletes the
 *   consumed messages and releases the lease, and writes nothing else: the
 *   instance keeps its output, failure and times.
 */
import type { InboxEvent } from '../../model/history.ts';
import { isTerminalStatus } from '../../model/runtime-status.ts';
import type { CommitResult, ExternalWork, OrchestrationCommit } from '../store.ts';
import { applyParams, APPLY_SQL, type ApplyBatch } from './apply-turns.ts';
import { insertMessagesStatement, type NewMessage } from './codec.ts';
import type { Database, Sql } from './database.ts';
import { executionStarted } from '../row-codec.ts';
import { ensureInstances, startInstances } from './instances.ts';
import { beginPendingStarts } from './pending-starts.ts';
import { workPayload } from './notifications.ts';

interface FenceRow {
  readonly instance_id: string;
  readonly name: string;
  readonly execution_id: string;
  readonly lease_token: number;
  readonly history_length: number;
}

interface Unit {
  readonly commit: OrchestrationCommit;
  readonly fence: FenceRow;
}

export async function commitOrchestrations(
  db: Database,
  commits: readonly OrchestrationCommit[],
  channel: string,
): Promise<CommitResult[]> {
  if (commits.length === 0) return [];
  if (await applyAlone(db, commits, channel)) return commits.map(() => ({ ok: true }));
  return db.transaction(async (sql) => {
    if (new Set(commits.map((c) => c.instanceId)).size === commits.length) return applyBatch(sql, commits, channel);
    const results: CommitResult[] = [];
    for (const commit of commits) results.push(...(await applyBatch(sql, [commit], channel)));
    return results;
  });
}

/**
 * The common batch in one round trip: APPLY_SQL alone, in autocommit, fences
 * itself and writes all or nothing. Returns false, having written nothing,
 * when the batch needs the transaction: child starts, instances created by a
 * message, continue-as-new without the name (its ExecutionStarted needs it), an
 * instance twice, a queued start behind a finishing instance, or a lease lost
 * (the transaction then reports which).
 */
async function applyAlone(db: Database, commits: readonly OrchestrationCommit[], channel: string): Promise<boolean> {
  const needsTransaction = commits.some(
    (c) =>
      c.childStarts.length > 0 ||
      (c.continueAsNew !== undefined && c.continueAsNew.name === undefined) ||
      c.messages.some((m) => m.createIfMissing !== undefined),
  );
  if (needsTransaction || new Set(commits.map((c) => c.instanceId)).size !== commits.length) return false;
  const own = new Set(commits.map((c) => c.instanceId));
  const batch: ApplyBatch = {
    commits,
    messages: commits.flatMap((c) => [...continuationMessages(c, c.continueAsNew?.name ?? ''), ...c.messages]),
    mustExist: (m) => !own.has(m.instanceId),
    channel,
    payload: workPayload(queuedWork(commits)),
    noPendingStartFor: commits.filter(endsInstance).map((c) => c.instanceId),
  };
  const [verdict] = await db.statement<{ ok: boolean }>(APPLY_SQL, applyParams(batch), { prepare: true });
  return verdict?.ok === true;
}

/** Applies units whose instance IDs are distinct. */
async function applyBatch(sql: Sql, commits: readonly OrchestrationCommit[], channel: string): Promise<CommitResult[]> {
  const fences = await sql.rows<FenceRow>(
    `SELECT instance_id, name, execution_id, lease_token, history_length FROM instances
     WHERE instance_id = ANY($1::text[]) ORDER BY instance_id FOR NO KEY UPDATE`,
    [commits.map((c) => c.instanceId)],
    { prepare: true },
  );
  const byId = new Map(fences.map((row) => [row.instance_id, row]));
  const units: Unit[] = [];
  const results = commits.map((commit): CommitResult => {
    const fence = byId.get(commit.instanceId);
    if (fence === undefined || fence.lease_token !== commit.leaseToken || fence.execution_id !== commit.executionId) {
      return { ok: false, reason: 'leaseLost' };
    }
    units.push({ commit, fence });
    return { ok: true };
  });
  if (units.length === 0) return results;
  const hasChildren = units.some((u) => u.commit.childStarts.length > 0);
  // Without child starts every message can go in with the rest; otherwise
  // outbound messages must wait until the children exist.
  const early = units.flatMap((u) => [...continuationMessages(u.commit, u.fence.name), ...(hasChildren ? [] : u.commit.messages)]);
  const outbound = new Set<NewMessage>(units.flatMap((u) => u.commit.messages));
  // The batch's own rows exist and are locked (and updated by APPLY_SQL, whose
  // existence check would skip them), so only other targets are checked.
  const mustExist = (m: NewMessage) => outbound.has(m) && !byId.has(m.instanceId);
  await ensureInstances(
    sql,
    units.flatMap((u) => u.commit.messages.filter((m) => !byId.has(m.instanceId))),
    units[0]!.commit.now,
  );
  const applied = units.map((u) => u.commit);
  const batch: ApplyBatch = {
    commits: applied,
    messages: early,
    mustExist,
    channel,
    payload: workPayload(queuedWork(applied)),
    noPendingStartFor: [],
  };
  await sql.rows(APPLY_SQL, applyParams(batch), { prepare: true });
  if (hasChildren) await startChildren(sql, units, channel, (m) => outbound.has(m));
  const finished = applied.filter(endsInstance);
  if (finished.length > 0)
    await beginPendingStarts(
      sql,
      finished.map((c) => c.instanceId),
      finished[0]!.now,
      channel,
    );
  return results;
}

/** A commit that ends its instance begins the start queued behind it (queueLatest). */
function endsInstance(commit: OrchestrationCommit): boolean {
  return commit.drainOnly !== true && commit.continueAsNew === undefined && isTerminalStatus(commit.runtimeStatus);
}

/** What another host could claim of what this batch queued (a pre-leased task is its holder's). */
function queuedWork(commits: readonly OrchestrationCommit[]): ExternalWork {
  return {
    orchestrations: commits.some((c) => c.messages.length + c.childStarts.length > 0 || c.continueAsNew !== undefined),
    activities: commits.some((c) => c.activities.some((a) => a.lease === undefined)),
  };
}

/** Starts the batch's children in unit order, then queues each unit's conflict replies and outbound messages. */
async function startChildren(sql: Sql, units: readonly Unit[], channel: string, mustExist: (m: NewMessage) => boolean): Promise<void> {
  const starts = units.flatMap((u) => u.commit.childStarts);
  const outcomes = await startInstances(
    sql,
    starts.map((s) => s.request),
    channel,
  );
  const late: NewMessage[] = [];
  let next = 0;
  for (const { commit } of units) {
    for (const start of commit.childStarts) {
      const outcome = outcomes[next++]?.outcome;
      if ((outcome === 'conflict' || outcome === 'existing') && start.onConflictMessage) late.push(start.onConflictMessage);
    }
    late.push(...commit.messages);
  }
  if (late.length > 0) await sql.rows(...insertMessagesStatement(late, channel, mustExist));
}

/** Continue-as-new: the new execution's ExecutionStarted, then the carried-over events. */
function continuationMessages(commit: OrchestrationCommit, name: string): NewMessage[] {
  const next = commit.continueAsNew;
  if (next === undefined) return [];
  const started = executionStarted({
    now: commit.now,
    name,
    executionId: next.executionId,
    input: next.input,
    parent: next.parent,
    trace: next.trace,
    version: next.version,
  });
  const carried = next.carryover.map((event: InboxEvent) => ({ instanceId: commit.instanceId, visibleAt: commit.now, event }));
  return [{ instanceId: commit.instanceId, executionId: next.executionId, visibleAt: commit.now, event: started }, ...carried];
}
