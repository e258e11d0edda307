/**
 * @module postgres/activity-queue
 * Owns the activity task queue: leasing tasks to workers, turning a
 * completion into a TaskCompleted/TaskFailed message for the instance, and
 * handing leases back. Each operation is one statement.
 *
 * What must hold:
 * - Claims lock with FOR NO KEY UPDATE SKIP LOCKED and re-check the lease on the
 *   newest row version, so concurrent hosts never get the same task while
 *   its lease is valid; every claim bumps lease_token and attempt.
 * - A task is delivered at least once: an expired lease makes it claimable
 *   again, with a higher lease_token and attempt.
 * - A task is identified by (instance ID, execution ID, task ID); the row id
 *   is only for diagnostics. A completion counts only if it deletes the task
 *   row with the lease token it was claimed with (1 for a task inserted
 *   pre-leased); a stale completion (lease expired and re-claimed, or the
 *   execution was replaced) is dropped and delivers nothing.
 * - With `runnable`, a claim skips tasks whose activity the host has not
 *   registered; they stay queued for a host that has.
 * - A lease never outlasts the task's deadlines by more than a grace (decision 0028): see
 *   sqlite/activity-queue.ts. Tasks of a suspended instance are not claimed.
 */
import type { TaskCompletedEvent, TaskFailedEvent } from '../../model/history.ts';
import type {
  ActivityCompletion,
  ActivityHeartbeat,
  ActivityHeartbeatStatus,
  ActivityOutcome,
  ActivityWorkItem,
  ClaimOptions,
} from '../store.ts';
import { ACTIVITY_COLUMNS, deadlineGraceMs, toJson } from '../row-codec.ts';
import { toActivityWorkItem, type ActivityRow } from './codec.ts';
import type { Database } from './database.ts';
import { ACTIVITY_WORK, ORCHESTRATION_WORK } from './notifications.ts';

export async function claimActivities(db: Database, options: ClaimOptions): Promise<ActivityWorkItem[]> {
  if (options.limit < 1) return [];
  const rows = await db.statement<ActivityRow>(
    `WITH picked AS (
       SELECT id FROM activities t WHERE visible_at <= $1 AND lease_expires_at <= $1
         AND ($6::text[] IS NULL OR name = ANY($6::text[]))
         AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.instance_id = t.instance_id AND i.runtime_status = 'Suspended')
       ORDER BY id LIMIT $2
       FOR NO KEY UPDATE OF t SKIP LOCKED
     )
     UPDATE activities a
     SET lease_owner = $3, attempt = a.attempt + 1, lease_token = a.lease_token + 1,
       deadline_at = COALESCE(a.deadline_at, $1 + a.timeout_ms),
       heartbeat_deadline_at = COALESCE(a.heartbeat_deadline_at, $1 + a.heartbeat_timeout_ms),
       lease_expires_at = LEAST($4, $1 + a.heartbeat_timeout_ms + $5,
         CASE WHEN COALESCE(a.deadline_at, $1 + a.timeout_ms) > $1 THEN COALESCE(a.deadline_at, $1 + a.timeout_ms) + $5 END)
     FROM picked WHERE a.id = picked.id
     RETURNING ${ACTIVITY_COLUMNS.replace(/(^|, )/g, '$1a.')}`,
    [
      options.now,
      options.limit,
      options.owner,
      options.now + options.leaseMs,
      deadlineGraceMs(options.leaseMs),
      options.runnable?.activities ?? null,
    ],
    // Safe to repeat after a broken connection: a lost lease just expires.
    { idempotent: true, prepare: true },
  );
  // RETURNING gives no order guarantee; hand tasks out oldest first.
  return rows.sort((a, b) => a.id - b.id).map(toActivityWorkItem);
}

/** Deletes the tasks whose lease token still matches and queues each one's result, in one statement. */
const COMPLETE_SQL = `
  WITH c AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::text[], $6::bigint[]) WITH ORDINALITY
      AS c(instance_id, execution_id, task_id, lease_token, event, visible_at, ord)
  ), done AS (
    DELETE FROM activities a USING c
    WHERE a.instance_id = c.instance_id AND a.execution_id = c.execution_id
      AND a.task_id = c.task_id AND a.lease_token = c.lease_token
    RETURNING a.instance_id, a.execution_id, a.task_id, a.lease_token
  ), delivered AS (
    INSERT INTO inbox (instance_id, execution_id, visible_at, is_control, event)
    SELECT c.instance_id, c.execution_id, c.visible_at, false, c.event
    FROM c
    WHERE EXISTS (
      SELECT 1 FROM done d
      WHERE d.instance_id = c.instance_id AND d.execution_id = c.execution_id
        AND d.task_id = c.task_id AND d.lease_token = c.lease_token
    )
    ORDER BY c.ord
    RETURNING 1
  )
  SELECT pg_notify($7, '${ORCHESTRATION_WORK}') FROM (SELECT 1 FROM delivered LIMIT 1) AS any_delivered`;

export async function completeActivities(db: Database, completions: readonly ActivityCompletion[], channel: string): Promise<void> {
  // A repeated task and token would be delivered twice; the first wins, as it would one at a time.
  const seen = new Set<string>();
  const unique = completions.filter(({ item }) => {
    const key = taskKey(item.instanceId, item.executionId, item.taskId, item.leaseToken);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return;
  // Idempotent: once the task row is deleted, running it again delivers nothing.
  await db.statement(
    COMPLETE_SQL,
    [
      ...taskColumns(unique.map(({ item }) => item)),
      unique.map(({ item, outcome, now }) => JSON.stringify(resultEvent(item.taskId, outcome, now))),
      unique.map(({ now }) => now),
      channel,
    ],
    { idempotent: true, prepare: true },
  );
}

/** A task is identified by (instanceId, executionId, taskId); the lease token fences it. */
function taskColumns(items: readonly ActivityWorkItem[]): unknown[][] {
  return [
    items.map((item) => item.instanceId),
    items.map((item) => item.executionId),
    items.map((item) => item.taskId),
    items.map((item) => item.leaseToken),
  ];
}

function resultEvent(taskId: number, outcome: ActivityOutcome, now: number): TaskCompletedEvent | TaskFailedEvent {
  const timestamp = new Date(now).toISOString();
  if ('failure' in outcome) return { type: 'TaskFailed', timestamp, taskId, failure: outcome.failure };
  return { type: 'TaskCompleted', timestamp, taskId, ...(outcome.result === undefined ? {} : { result: outcome.result }) };
}

export async function abandonActivities(db: Database, items: readonly ActivityWorkItem[], channel: string): Promise<void> {
  if (items.length === 0) return;
  // Other hosts may take the tasks over at once, so wake them.
  await db.statement(
    `WITH released AS (
       UPDATE activities a SET lease_owner = NULL, lease_expires_at = 0
       FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[]) AS r(instance_id, execution_id, task_id, lease_token)
       WHERE a.instance_id = r.instance_id AND a.execution_id = r.execution_id
         AND a.task_id = r.task_id AND a.lease_token = r.lease_token
       RETURNING 1
     )
     SELECT pg_notify($5, '${ACTIVITY_WORK}') FROM (SELECT 1 FROM released LIMIT 1) AS any_released`,
    [...taskColumns(items), channel],
    { idempotent: true },
  );
}

/** Heartbeat: moves the lease expiry of tasks still held under their token; returns those. */
export async function renewActivityLeases(
  db: Database,
  items: readonly ActivityWorkItem[],
  expiresAt: number,
): Promise<ActivityWorkItem[]> {
  if (items.length === 0) return [];
  const rows = await db.statement<{ instance_id: string; execution_id: string; task_id: number; lease_token: number }>(
    `UPDATE activities a SET lease_expires_at = $5
     FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[]) AS r(instance_id, execution_id, task_id, lease_token)
     WHERE a.instance_id = r.instance_id AND a.execution_id = r.execution_id
       AND a.task_id = r.task_id AND a.lease_token = r.lease_token
     RETURNING a.instance_id, a.execution_id, a.task_id, a.lease_token`,
    [...taskColumns(items), expiresAt],
    { idempotent: true },
  );
  const held = new Set(rows.map((row) => taskKey(row.instance_id, row.execution_id, row.task_id, row.lease_token)));
  return items.filter((item) => held.has(taskKey(item.instanceId, item.executionId, item.taskId, item.leaseToken)));
}

function taskKey(instanceId: string, executionId: string, taskId: number, leaseToken: number): string {
  return JSON.stringify([instanceId, executionId, taskId, leaseToken]);
}

/** See Store.heartbeatActivities; one statement for all beats. */
export async function heartbeatActivities(db: Database, beats: readonly ActivityHeartbeat[]): Promise<ActivityHeartbeatStatus[]> {
  if (beats.length === 0) return [];
  const rows = await db.statement<{ ord: number; status: ActivityHeartbeatStatus }>(
    `WITH b AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[], $7::boolean[], $8::text[])
         WITH ORDINALITY AS b(instance_id, execution_id, task_id, lease_token, lease, deadline, set_details, details, ord)
     ), found AS (
       SELECT b.*, CASE
           WHEN a.id IS NULL OR a.lease_token <> b.lease_token THEN 'lost'
           WHEN i.runtime_status = 'Suspended' THEN 'suspended'
           WHEN i.execution_id IS DISTINCT FROM b.execution_id OR i.runtime_status NOT IN ('Running', 'Pending') THEN 'ended'
           ELSE 'held' END AS status
       FROM b
       LEFT JOIN activities a ON a.instance_id = b.instance_id AND a.execution_id = b.execution_id AND a.task_id = b.task_id
       LEFT JOIN instances i ON i.instance_id = b.instance_id
     ), renewed AS (
       UPDATE activities a SET lease_expires_at = f.lease, heartbeat_deadline_at = COALESCE(f.deadline, a.heartbeat_deadline_at),
         heartbeat_details = CASE WHEN f.set_details THEN f.details ELSE a.heartbeat_details END
       FROM found f
       WHERE f.status = 'held' AND a.instance_id = f.instance_id AND a.execution_id = f.execution_id
         AND a.task_id = f.task_id AND a.lease_token = f.lease_token
     ), removed AS (
       DELETE FROM activities a USING found f
       WHERE f.status = 'ended' AND a.instance_id = f.instance_id AND a.execution_id = f.execution_id
         AND a.task_id = f.task_id AND a.lease_token = f.lease_token
     )
     SELECT ord, status FROM found`,
    [
      ...taskColumns(beats.map((b) => b.item)),
      beats.map((b) => b.leaseExpiresAt),
      beats.map((b) => b.heartbeatDeadlineAt ?? null),
      beats.map((b) => b.details !== undefined),
      beats.map((b) => (b.details === undefined ? null : toJson(b.details.value))),
    ],
    // Repeating it writes the same lease and details again.
    { idempotent: true },
  );
  const byOrder = new Map(rows.map((row) => [Number(row.ord), row.status]));
  return beats.map((_, i) => byOrder.get(i + 1) ?? 'lost');
}
