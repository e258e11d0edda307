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
 */
import type { TaskCompletedEvent, TaskFailedEvent } from '../../model/history.ts';
import { isoTimestamp } from '../../model/timestamp.ts';
import type { ActivityCompletion, ActivityOutcome, ActivityWorkItem, ClaimOptions } from '../store.ts';
import { toActivityWorkItem, type ActivityRow } from './codec.ts';
import type { Connection } from './database.ts';
import { insertMessage } from './inbox.ts';

type DeletedTask = Pick<ActivityRow, 'instance_id' | 'execution_id' | 'task_id'>;

export function claimActivities(connection: Connection, options: ClaimOptions): ActivityWorkItem[] {
  if (options.limit < 1) return [];
  return connection.write(() => {
    const rows = connection
      .statement(
        `UPDATE activities
         SET lease_owner = @owner, lease_expires_at = @expiresAt, attempt = attempt + 1, lease_token = lease_token + 1
         WHERE id IN (
           SELECT id FROM activities WHERE visible_at <= @now AND lease_expires_at <= @now
             AND (@names IS NULL OR name IN (SELECT value FROM json_each(@names)))
           ORDER BY id LIMIT @limit
         )
         RETURNING id, instance_id, execution_id, task_id, name, input, attempt, lease_token`,
      )
      .all({
        owner: options.owner,
        expiresAt: options.now + options.leaseMs,
        now: options.now,
        limit: options.limit,
        names: options.runnable === undefined ? null : JSON.stringify(options.runnable.activities),
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
