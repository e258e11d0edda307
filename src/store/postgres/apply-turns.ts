/**
 * @module postgres/apply-turns
 * The one statement that writes a batch of turns (everything but child
 * starts and queued starts): it fences, then deletes consumed messages,
 * appends history, updates instance rows, schedules activities and queues
 * messages.
 *
 * What must hold:
 * - The statement fences itself: it locks the batch's instance rows (FOR NO
 *   KEY UPDATE, in ID order) and writes nothing at all unless every row
 *   still has the claim's lease token and execution, and none of
 *   `noPendingStartFor` has a queued start. It answers `ok` accordingly. So
 *   it is safe on its own, in autocommit (one round trip), and inside the
 *   transaction that locked and checked the rows first.
 * - A history row's seq and the new history_length are taken from the locked
 *   row, never from an earlier read.
 * - The sub-statements all see the snapshot taken before any of them, so
 *   deleting an execution's old history and activities (continue-as-new)
 *   and inserting the turn's new ones behave as delete-then-insert; each
 *   touches rows of its own units only.
 */
import { isTerminalStatus } from '../../model/runtime-status.ts';
import type { OrchestrationCommit } from '../store.ts';
import { insertMessagesSql, messageColumns, toJson, toRowId, type NewMessage } from './codec.ts';

export interface ApplyBatch {
  readonly commits: readonly OrchestrationCommit[];
  /** Messages written with the turns, in order (continuations, and outbound ones when no child starts). */
  readonly messages: readonly NewMessage[];
  readonly mustExist: (m: NewMessage) => boolean;
  readonly channel: string;
  readonly payload: string;
  /** Instances that must have no queued start (the autocommit path leaves those to the transaction). */
  readonly noPendingStartFor: readonly string[];
}

const OK = '(SELECT ok FROM verdict)';

/**
 * The `= ANY(...)` conditions beside the joins on unnest() let the planner
 * find the rows by primary key even before the tables have statistics.
 */
export const APPLY_SQL = `
  WITH fence AS MATERIALIZED (
    SELECT i.instance_id, i.history_length FROM instances i
    JOIN unnest($37::text[], $38::bigint[], $39::text[]) AS f(instance_id, lease_token, execution_id)
      ON f.instance_id = i.instance_id
    WHERE i.instance_id = ANY($37::text[]) AND i.lease_token = f.lease_token AND i.execution_id = f.execution_id
    ORDER BY i.instance_id
    FOR NO KEY UPDATE OF i
  ), verdict AS MATERIALIZED (
    SELECT count(*) = cardinality($37::text[])
      AND NOT EXISTS (SELECT 1 FROM pending_starts p WHERE p.instance_id = ANY($40::text[])) AS ok
    FROM fence
  ), consumed AS (
    DELETE FROM inbox m USING unnest($1::bigint[], $2::text[]) AS c(id, instance_id)
    WHERE m.id = ANY($1::bigint[]) AND m.id = c.id AND m.instance_id = c.instance_id AND ${OK}
  ), appended AS (
    INSERT INTO history (instance_id, seq, events)
    SELECT h.instance_id, f.history_length, h.events
    FROM unnest($3::text[], $4::text[]) AS h(instance_id, events) JOIN fence f ON f.instance_id = h.instance_id
    WHERE ${OK}
  ), updated AS (
    UPDATE instances i SET
      runtime_status = u.status, output = u.output, failure = u.failure,
      custom_status = CASE WHEN u.set_custom_status THEN u.custom_status ELSE i.custom_status END,
      updated_at = u.now, completed_at = u.completed_at,
      history_length = CASE WHEN u.reset THEN 0 ELSE f.history_length + u.added END,
      execution_id = u.execution_id,
      input = CASE WHEN u.continued THEN u.input ELSE i.input END,
      lease_owner = NULL, lease_expires_at = 0, deliveries = 0
    FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::text[], $11::bigint[],
                $12::bigint[], $13::int[], $14::text[], $15::boolean[], $16::text[], $17::boolean[])
      AS u(instance_id, status, output, failure, set_custom_status, custom_status, now, completed_at,
           added, execution_id, continued, input, reset)
    JOIN fence f ON f.instance_id = u.instance_id
    WHERE i.instance_id = ANY($5::text[]) AND i.instance_id = u.instance_id AND ${OK}
  ), released AS (
    UPDATE instances SET lease_owner = NULL, lease_expires_at = 0, deliveries = 0
    WHERE instance_id = ANY($36::text[]) AND ${OK}
  ), reset_history AS (
    DELETE FROM history WHERE instance_id = ANY($18::text[]) AND ${OK}
  ), reset_activities AS (
    DELETE FROM activities WHERE instance_id = ANY($18::text[]) AND ${OK}
  ), scheduled AS (
    INSERT INTO activities (instance_id, execution_id, task_id, name, input, visible_at,
                            attempt, lease_owner, lease_expires_at, lease_token,
                            timeout_ms, heartbeat_timeout_ms, heartbeat_details)
    SELECT instance_id, execution_id, task_id, name, input, visible_at, attempt, lease_owner, lease_expires_at, attempt,
           timeout_ms, heartbeat_timeout_ms, heartbeat_details
    FROM unnest($19::text[], $20::text[], $21::int[], $22::text[], $23::text[], $24::bigint[],
                $25::int[], $26::text[], $27::bigint[], $41::bigint[], $42::bigint[], $43::text[]) WITH ORDINALITY
      AS a(instance_id, execution_id, task_id, name, input, visible_at, attempt, lease_owner, lease_expires_at,
           timeout_ms, heartbeat_timeout_ms, heartbeat_details, ord)
    WHERE ${OK}
    ORDER BY ord
  ), queued AS (
    ${insertMessagesSql(28, OK)}
  )
  SELECT ok, CASE WHEN ok AND $35 <> '' THEN pg_notify($34, $35)::text END AS notified FROM verdict`;

/** $1..$43 of APPLY_SQL. */
export function applyParams(batch: ApplyBatch): unknown[] {
  const { commits } = batch;
  const consumed = commits.flatMap((commit) =>
    commit.consumedMessageIds.flatMap((id) => {
      const rowId = toRowId(id);
      return rowId === undefined ? [] : [[rowId, commit.instanceId] as const];
    }),
  );
  // One history row per turn (written and read whole), keyed by the index of its first event.
  const appended = commits.filter((c) => c.continueAsNew === undefined && c.newEvents.length > 0);
  const activities = commits.flatMap((commit) => commit.activities.map((activity) => ({ commit, activity })));
  return [
    consumed.map((c) => c[0]),
    consumed.map((c) => c[1]),
    appended.map((c) => c.instanceId),
    appended.map((c) => JSON.stringify(c.newEvents)),
    ...instanceUpdates(commits.filter((c) => c.drainOnly !== true)),
    commits.filter((c) => c.continueAsNew !== undefined).map((c) => c.instanceId),
    activities.map((a) => a.commit.instanceId),
    activities.map((a) => a.commit.executionId),
    activities.map((a) => a.activity.taskId),
    activities.map((a) => a.activity.name),
    activities.map((a) => toJson(a.activity.input)),
    activities.map((a) => a.commit.now),
    // A pre-leased task is already being run by the committing host: its first delivery.
    activities.map((a) => a.activity.attempt ?? (a.activity.lease === undefined ? 0 : 1)),
    activities.map((a) => a.activity.lease?.owner ?? null),
    activities.map((a) => a.activity.lease?.expiresAt ?? 0),
    ...messageColumns(batch.messages, batch.mustExist),
    batch.channel,
    batch.payload,
    commits.filter((c) => c.drainOnly === true).map((c) => c.instanceId),
    commits.map((c) => c.instanceId),
    commits.map((c) => c.leaseToken),
    commits.map((c) => c.executionId),
    batch.noPendingStartFor,
    // The scheduled activities' timeouts and starting heartbeat details, in the order of $19...
    activities.map((a) => a.activity.timeoutMs ?? null),
    activities.map((a) => a.activity.heartbeatTimeoutMs ?? null),
    activities.map((a) => toJson(a.activity.heartbeatDetails)),
  ];
}

/** $5..$17: the new state of each applied instance row (drained ones keep theirs: $36). */
function instanceUpdates(c: readonly OrchestrationCommit[]): unknown[][] {
  return [
    c.map((x) => x.instanceId),
    c.map((x) => x.runtimeStatus),
    c.map((x) => toJson(x.output)),
    c.map((x) => toJson(x.failure)),
    c.map((x) => x.customStatus !== undefined),
    c.map((x) => toJson(x.customStatus ?? undefined)),
    c.map((x) => x.now),
    c.map((x) => (isTerminalStatus(x.runtimeStatus) ? x.now : null)),
    c.map((x) => (x.continueAsNew === undefined ? x.newEvents.length : 0)),
    c.map((x) => x.continueAsNew?.executionId ?? x.executionId),
    c.map((x) => x.continueAsNew !== undefined || x.input !== undefined),
    c.map((x) => toJson(x.continueAsNew === undefined ? x.input : x.continueAsNew.input)),
    c.map((x) => x.continueAsNew !== undefined),
  ];
}
