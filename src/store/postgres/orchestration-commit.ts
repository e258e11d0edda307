/**
 * @module postgres/orchestration-commit
 * Owns applying a batch of orchestration turns in one transaction: consumed
 * messages, new history, status, scheduled activities, child starts,
 * outbound messages and continue-as-new. The batch is applied set-wise
 * (one statement per kind of write for all its units), because a host
 * commits thousands of turns a second and round trips are the cost.
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
import { insertMessagesSql, insertMessagesStatement, messageColumns, toJson, toRowId, type NewMessage } from './codec.ts';
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
  return db.transaction(async (sql) => {
    if (new Set(commits.map((c) => c.instanceId)).size === commits.length) return applyBatch(sql, commits, channel);
    const results: CommitResult[] = [];
    for (const commit of commits) results.push(...(await applyBatch(sql, [commit], channel)));
    return results;
  });
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
  const early = units.flatMap((u) => [...continuationMessages(u), ...(hasChildren ? [] : u.commit.messages)]);
  const outbound = new Set<NewMessage>(units.flatMap((u) => u.commit.messages));
  // The batch's own rows exist and are locked (and updated by APPLY_SQL, whose
  // existence check would skip them), so only other targets are checked.
  const mustExist = (m: NewMessage) => outbound.has(m) && !byId.has(m.instanceId);
  const drained = units.filter((u) => u.commit.drainOnly === true).map((u) => u.commit.instanceId);
  await ensureInstances(
    sql,
    units.flatMap((u) => u.commit.messages.filter((m) => !byId.has(m.instanceId))),
    units[0]!.commit.now,
  );
  await sql.rows(APPLY_SQL, [...applyParams(units, early, mustExist), channel, workPayload(queuedWork(units)), drained], { prepare: true });
  if (hasChildren) await startChildren(sql, units, channel, (m) => outbound.has(m));
  const finished = units.filter(({ commit }) => endsInstance(commit));
  if (finished.length > 0)
    await beginPendingStarts(
      sql,
      finished.map((u) => u.commit.instanceId),
      finished[0]!.commit.now,
      channel,
    );
  return results;
}

/** A commit that ends its instance begins the start queued behind it (queueLatest). */
function endsInstance(commit: OrchestrationCommit): boolean {
  return commit.drainOnly !== true && commit.continueAsNew === undefined && isTerminalStatus(commit.runtimeStatus);
}

/** What another host could claim of what this batch queued (a pre-leased task is its holder's). */
function queuedWork(units: readonly Unit[]): ExternalWork {
  return {
    orchestrations: units.some(({ commit: c }) => c.messages.length + c.childStarts.length > 0 || c.continueAsNew !== undefined),
    activities: units.some(({ commit: c }) => c.activities.some((a) => a.lease === undefined)),
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
function continuationMessages({ commit, fence }: Unit): NewMessage[] {
  const next = commit.continueAsNew;
  if (next === undefined) return [];
  const started = executionStarted({
    now: commit.now,
    name: fence.name,
    executionId: next.executionId,
    input: next.input,
    parent: next.parent,
    trace: next.trace,
    version: next.version,
  });
  const carried = next.carryover.map((event: InboxEvent) => ({ instanceId: commit.instanceId, visibleAt: commit.now, event }));
  return [{ instanceId: commit.instanceId, executionId: next.executionId, visibleAt: commit.now, event: started }, ...carried];
}

/** $1..$33 of APPLY_SQL. */
function applyParams(units: readonly Unit[], messages: readonly NewMessage[], mustExist: (m: NewMessage) => boolean): unknown[] {
  const consumed = units.flatMap(({ commit }) =>
    commit.consumedMessageIds.flatMap((id) => {
      const rowId = toRowId(id);
      return rowId === undefined ? [] : [[rowId, commit.instanceId] as const];
    }),
  );
  // One history row per turn (written and read whole), keyed by the index of its first event.
  const appended = units
    .filter(({ commit }) => commit.continueAsNew === undefined && commit.newEvents.length > 0)
    .map(({ commit, fence }) => [commit.instanceId, fence.history_length, JSON.stringify(commit.newEvents)] as const);
  const activities = units.flatMap(({ commit }) => commit.activities.map((activity) => ({ commit, activity })));
  const column = <T, V>(rows: readonly T[], pick: (row: T) => V) => rows.map(pick);
  return [
    column(consumed, (c) => c[0]),
    column(consumed, (c) => c[1]),
    column(appended, (h) => h[0]),
    column(appended, (h) => h[1]),
    column(appended, (h) => h[2]),
    ...instanceUpdates(units.filter((u) => u.commit.drainOnly !== true)),
    units.filter((u) => u.commit.continueAsNew !== undefined).map((u) => u.commit.instanceId),
    column(activities, (a) => a.commit.instanceId),
    column(activities, (a) => a.commit.executionId),
    column(activities, (a) => a.activity.taskId),
    column(activities, (a) => a.activity.name),
    column(activities, (a) => toJson(a.activity.input)),
    column(activities, (a) => a.commit.now),
    // A pre-leased task is already being run by the committing host: its first delivery.
    column(activities, (a) => a.activity.attempt ?? (a.activity.lease === undefined ? 0 : 1)),
    column(activities, (a) => a.activity.lease?.owner ?? null),
    column(activities, (a) => a.activity.lease?.expiresAt ?? 0),
    ...messageColumns(messages, mustExist),
  ];
}

/** $6..$17: the new state of each applied instance row (drained ones keep theirs: $36). */
function instanceUpdates(units: readonly Unit[]): unknown[][] {
  const c = units.map((u) => u.commit);
  return [
    c.map((x) => x.instanceId),
    c.map((x) => x.runtimeStatus),
    c.map((x) => toJson(x.output)),
    c.map((x) => toJson(x.failure)),
    c.map((x) => x.customStatus !== undefined),
    c.map((x) => toJson(x.customStatus ?? undefined)),
    c.map((x) => x.now),
    c.map((x) => (isTerminalStatus(x.runtimeStatus) ? x.now : null)),
    units.map(({ commit: x, fence }) => (x.continueAsNew === undefined ? fence.history_length + x.newEvents.length : 0)),
    c.map((x) => x.continueAsNew?.executionId ?? x.executionId),
    c.map((x) => x.continueAsNew !== undefined || x.input !== undefined),
    c.map((x) => toJson(x.continueAsNew === undefined ? x.input : x.continueAsNew.input)),
  ];
}

/**
 * Every write of a batch but child starts, in one statement. The `= ANY(...)`
 * conditions beside the joins on unnest() let the planner find the rows by
 * primary key even before the tables have statistics. The sub-statements
 * all see the snapshot taken before any of them, so deleting an execution's old
 * history and activities (continue-as-new) and inserting the turn's new ones
 * behave as delete-then-insert; each touches rows of its own units only.
 */
const APPLY_SQL = `
  WITH consumed AS (
    DELETE FROM inbox m USING unnest($1::bigint[], $2::text[]) AS c(id, instance_id)
    WHERE m.id = ANY($1::bigint[]) AND m.id = c.id AND m.instance_id = c.instance_id
  ), appended AS (
    INSERT INTO history (instance_id, seq, events)
    SELECT instance_id, seq, events FROM unnest($3::text[], $4::int[], $5::text[]) AS h(instance_id, seq, events)
  ), updated AS (
    UPDATE instances i SET
      runtime_status = u.status, output = u.output, failure = u.failure,
      custom_status = CASE WHEN u.set_custom_status THEN u.custom_status ELSE i.custom_status END,
      updated_at = u.now, completed_at = u.completed_at, history_length = u.history_length,
      execution_id = u.execution_id,
      input = CASE WHEN u.continued THEN u.input ELSE i.input END,
      lease_owner = NULL, lease_expires_at = 0, deliveries = 0
    FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[], $11::text[], $12::bigint[],
                $13::bigint[], $14::int[], $15::text[], $16::boolean[], $17::text[])
      AS u(instance_id, status, output, failure, set_custom_status, custom_status, now, completed_at,
           history_length, execution_id, continued, input)
    WHERE i.instance_id = ANY($6::text[]) AND i.instance_id = u.instance_id
  ), released AS (
    UPDATE instances SET lease_owner = NULL, lease_expires_at = 0, deliveries = 0 WHERE instance_id = ANY($36::text[])
  ), reset_history AS (
    DELETE FROM history WHERE instance_id = ANY($18::text[])
  ), reset_activities AS (
    DELETE FROM activities WHERE instance_id = ANY($18::text[])
  ), scheduled AS (
    INSERT INTO activities (instance_id, execution_id, task_id, name, input, visible_at,
                            attempt, lease_owner, lease_expires_at, lease_token)
    SELECT instance_id, execution_id, task_id, name, input, visible_at, attempt, lease_owner, lease_expires_at, attempt
    FROM unnest($19::text[], $20::text[], $21::int[], $22::text[], $23::text[], $24::bigint[],
                $25::int[], $26::text[], $27::bigint[]) WITH ORDINALITY
      AS a(instance_id, execution_id, task_id, name, input, visible_at, attempt, lease_owner, lease_expires_at, ord)
    ORDER BY ord
  ), queued AS (
    ${insertMessagesSql(28)}
  )
  SELECT pg_notify($34, $35) WHERE $35 <> ''`;
