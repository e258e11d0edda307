/**
 * @module sqlite/activity-queue
 * Owns the activity task queue: leasing tasks to workers, turning a
 * completion into a TaskCompleted/TaskFailed message for the instance, and
 * handing leases back.
 *
 * What must hold:
 * - A task is delivered at least once: an expired lease makes it claimable
 *   again, with a higher lease_token and attempt.
 * - A completion counts only if it deletes the task row with the lease token
 *   it was claimed with; a stale completion (lease expired and re-claimed,
 *   or the execution was replaced) is dropped and delivers nothing.
 * - With `runnable`, a claim skips tasks whose activity the host has not
 *   registered; they stay queued for a host that has.
 * - A lease never outlasts the task's deadlines (decision 0028) by more than
 *   a grace of a third of a lease (the holder reports its own timeout in
 *   that time): its first claim fixes the start-to-close deadline, and no
 *   lease runs past it or past claim time plus the heartbeat timeout, so a
 *   task whose host died is claimed again soon after (and failed by that
 *   claimer, not run).
 * - Tasks of a suspended instance are not claimed.
 */
import type { TaskCompletedEvent, TaskFailedEvent } from '../../model/history.ts';
import { isoTimestamp } from '../../model/timestamp.ts';
import type {
  ActivityCompletion,
  ActivityHeartbeat,
  ActivityHeartbeatStatus,
  ActivityOutcome,
  ActivityWorkItem,
  ClaimOptions,
} from '../store.ts';
import { ACTIVITY_COLUMNS, deadlineGraceMs } from '../row-codec.ts';
import { toActivityWorkItem, toJson, type ActivityRow } from './codec.ts';
import type { Connection } from './database.ts';
import { insertMessage } from './inbox.ts';

type DeletedTask = Pick<ActivityRow, 'instance_id' | 'execution_id' | 'task_id'>;

export function claimActivities(connection: Connection, options: ClaimOptions): ActivityWorkItem[] {
  if (options.limit < 1) return [];
  return connection.write(() => {
    const rows = connection
      .statement(
        `UPDATE activities
         SET lease_owner = @owner, attempt = attempt + 1, lease_token = lease_token + 1,
           deadline_at = COALESCE(deadline_at, @now + timeout_ms),
           heartbeat_deadline_at = COALESCE(heartbeat_deadline_at, @now + heartbeat_timeout_ms),
           lease_expires_at = MIN(
             @expiresAt,
             COALESCE(@now + heartbeat_timeout_ms + @grace, @expiresAt),
             CASE WHEN COALESCE(deadline_at, @now + timeout_ms) > @now THEN COALESCE(deadline_at, @now + timeout_ms) + @grace ELSE @expiresAt END
           )
         WHERE id IN (
           SELECT a.id FROM activities a
           WHERE a.visible_at <= @now AND a.lease_expires_at <= @now
             AND (@names IS NULL OR a.name IN (SELECT value FROM json_each(@names)))
             AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.instance_id = a.instance_id AND i.runtime_status = 'Suspended')
           ORDER BY a.id LIMIT @limit
         )
         RETURNING ${ACTIVITY_COLUMNS}`,
      )
      .all({
        owner: options.owner,
        expiresAt: options.now + options.leaseMs,
        now: options.now,
        limit: options.limit,
        names: options.runnable === undefined ? null : JSON.stringify(options.runnable.activities),
        grace: deadlineGraceMs(options.leaseMs),
      }) as ActivityRow[];
    // RETURNING gives no order guarantee; hand tasks out oldest first.
    return rows.sort((a, b) => a.id - b.id).map(toActivityWorkItem);
  });
}

export function completeActivities(connection: Connection, completions: readonly ActivityCompletion[]): void {
  if (completions.length === 0) return;
  connection.write(() => {
    const remove = connection.statement(
      `DELETE FROM activities WHERE instance_id = ? AND execution_id = ? AND task_id = ? AND lease_token = ?
       RETURNING instance_id, execution_id, task_id`,
    );
    for (const { item, outcome, now } of completions) {
      // The row, not the caller's copy, says where the result goes.
      const task = remove.get(item.instanceId, item.executionId, item.taskId, item.leaseToken) as DeletedTask | undefined;
      if (task === undefined) continue;
      insertMessage(connection, {
        instanceId: task.instance_id,
        executionId: task.execution_id,
        visibleAt: now,
        event: resultEvent(task.task_id, outcome, now),
      });
    }
  });
}

function resultEvent(taskId: number, outcome: ActivityOutcome, now: number): TaskCompletedEvent | TaskFailedEvent {
  const timestamp = isoTimestamp(now);
  if ('failure' in outcome) return { type: 'TaskFailed', timestamp, taskId, failure: outcome.failure };
  return { type: 'TaskCompleted', timestamp, taskId, ...(outcome.result === undefined ? {} : { result: outcome.result }) };
}

export function abandonActivities(connection: Connection, items: readonly ActivityWorkItem[]): void {
  if (items.length === 0) return;
  connection.write(() => {
    const release = connection.statement(
      `UPDATE activities SET lease_owner = NULL, lease_expires_at = 0
       WHERE instance_id = ? AND execution_id = ? AND task_id = ? AND lease_token = ?`,
    );
    for (const item of items) release.run(item.instanceId, item.executionId, item.taskId, item.leaseToken);
  });
}

export function renewActivityLeases(connection: Connection, items: readonly ActivityWorkItem[], expiresAt: number): ActivityWorkItem[] {
  const renew = connection.statement(
    `UPDATE activities SET lease_expires_at = ?
     WHERE instance_id = ? AND execution_id = ? AND task_id = ? AND lease_token = ?`,
  );
  return items.filter((item) => renew.run(expiresAt, item.instanceId, item.executionId, item.taskId, item.leaseToken).changes === 1);
}

/** See Store.heartbeatActivities; one transaction for all beats. */
export function heartbeatActivities(connection: Connection, beats: readonly ActivityHeartbeat[]): ActivityHeartbeatStatus[] {
  if (beats.length === 0) return [];
  return connection.write(() => {
    const find = connection.statement(
      `SELECT a.lease_token, i.runtime_status, i.execution_id AS live_execution_id
       FROM activities a LEFT JOIN instances i ON i.instance_id = a.instance_id
       WHERE a.instance_id = ? AND a.execution_id = ? AND a.task_id = ?`,
    );
    const remove = connection.statement('DELETE FROM activities WHERE instance_id = ? AND execution_id = ? AND task_id = ?');
    const renew = connection.statement(
      `UPDATE activities SET lease_expires_at = @lease, heartbeat_deadline_at = COALESCE(@deadline, heartbeat_deadline_at),
         heartbeat_details = CASE WHEN @setDetails THEN @details ELSE heartbeat_details END
       WHERE instance_id = @instanceId AND execution_id = @executionId AND task_id = @taskId`,
    );
    return beats.map(({ item, leaseExpiresAt, heartbeatDeadlineAt, details }) => {
      const key = [item.instanceId, item.executionId, item.taskId] as const;
      const row = find.get(...key) as { lease_token: number; runtime_status: string | null; live_execution_id: string | null } | undefined;
      if (row === undefined || row.lease_token !== item.leaseToken) return 'lost';
      if (row.runtime_status === 'Suspended') return 'suspended';
      if (row.live_execution_id !== item.executionId || (row.runtime_status !== 'Running' && row.runtime_status !== 'Pending')) {
        remove.run(...key);
        return 'ended';
      }
      renew.run({
        lease: leaseExpiresAt,
        deadline: heartbeatDeadlineAt ?? null,
        setDetails: details === undefined ? 0 : 1,
        details: details === undefined ? null : toJson(details.value),
        instanceId: item.instanceId,
        executionId: item.executionId,
        taskId: item.taskId,
      });
      return 'held';
    });
  });
}
