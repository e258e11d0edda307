/**
 * @module sqlite/orchestration-commit
 * Owns applying one orchestration turn: consumed messages, new history,
 * status, scheduled activities, child starts, outbound messages and
 * continue-as-new, all in the batch's single write transaction.
 *
 * What must hold:
 * - Fencing: a commit is applied only if the row's lease_token and
 *   execution_id still equal those of the claim. Otherwise nothing of it is
 *   written and it reports `leaseLost`; the other commits of the batch go on.
 * - Order of the writes: continue-as-new resets the execution first (so the
 *   new ExecutionStarted precedes anything else this turn queues for the
 *   instance), then activities, then child starts, then outbound messages (so
 *   a message to a child started in the same turn follows the child's
 *   ExecutionStarted and is not wiped if the start replaces an old instance).
 * - Outbound messages to an instance ID that does not exist are dropped,
 *   unless they ask to create it (`createIfMissing`).
 * - A commit, drain included, resets the instance's delivery count: the turn
 *   ended with a result.
 * - A commit that ends the instance begins its pending start (queueLatest),
 *   if it has one, in the same transaction.
 * - A drain (`drainOnly`: late messages to a finished instance) deletes the
 *   consumed messages and releases the lease, and writes nothing else: the
 *   instance keeps its output, failure and times.
 */
import { isTerminalStatus } from '../../model/runtime-status.ts';
import type { CommitResult, OrchestrationCommit, OutboundMessage } from '../store.ts';
import { toJson, toRowId, type InstanceRow } from './codec.ts';
import type { Connection } from './database.ts';
import { insertMessage } from './inbox.ts';
import { executionStarted } from '../row-codec.ts';
import { ensureInstance, startInstance } from './instances.ts';
import { takePendingStart } from './pending-starts.ts';

type FenceRow = Pick<InstanceRow, 'name' | 'execution_id' | 'lease_token' | 'history_length'>;

export function commitOrchestrations(connection: Connection, commits: readonly OrchestrationCommit[]): CommitResult[] {
  if (commits.length === 0) return [];
  return connection.write(() => commits.map((commit) => commitOne(connection, commit)));
}

function commitOne(connection: Connection, commit: OrchestrationCommit): CommitResult {
  const row = connection
    .statement('SELECT name, execution_id, lease_token, history_length FROM instances WHERE instance_id = ?')
    .get(commit.instanceId) as FenceRow | undefined;
  if (row === undefined || row.lease_token !== commit.leaseToken || row.execution_id !== commit.executionId) {
    return { ok: false, reason: 'leaseLost' };
  }
  deleteConsumed(connection, commit);
  if (commit.drainOnly) {
    connection
      .statement('UPDATE instances SET lease_owner = NULL, lease_expires_at = 0, deliveries = 0 WHERE instance_id = ?')
      .run(commit.instanceId);
    return { ok: true };
  }
  const historyLength = commit.continueAsNew === undefined ? appendHistory(connection, commit, row.history_length) : 0;
  updateInstance(connection, commit, historyLength);
  if (commit.continueAsNew !== undefined) startNewExecution(connection, commit, row.name);
  insertActivities(connection, commit);
  for (const child of commit.childStarts) {
    const result = startInstance(connection, child.request);
    if ((result.outcome === 'conflict' || result.outcome === 'existing') && child.onConflictMessage) {
      insertMessage(connection, child.onConflictMessage);
    }
  }
  for (const message of commit.messages) deliver(connection, message, commit.now);
  if (isTerminalStatus(commit.runtimeStatus) && commit.continueAsNew === undefined) beginPendingStart(connection, commit);
  return { ok: true };
}

/** queueLatest: the commit that ends an instance begins the start queued behind it, in the same transaction. */
function beginPendingStart(connection: Connection, commit: OrchestrationCommit): void {
  const request = takePendingStart(connection, commit.instanceId, commit.now);
  if (request !== undefined) startInstance(connection, request);
}

/**
 * Queues an outbound message only if its instance exists. A message to a
 * missing ID is dropped, as Durable Functions drops it: kept, it could never
 * be claimed, and it would reach a later, unrelated instance that takes the ID.
 */
function deliver(connection: Connection, message: OutboundMessage, now: number): void {
  if (message.createIfMissing) ensureInstance(connection, message.instanceId, message.createIfMissing, now);
  const exists = connection.statement('SELECT 1 FROM instances WHERE instance_id = ?').get(message.instanceId);
  if (exists !== undefined) insertMessage(connection, message);
}

function deleteConsumed(connection: Connection, commit: OrchestrationCommit): void {
  const ids = commit.consumedMessageIds.map(toRowId).filter((id) => id !== undefined);
  if (ids.length <= 4) {
    const remove = connection.statement('DELETE FROM inbox WHERE id = ? AND instance_id = ?');
    for (const id of ids) remove.run(id, commit.instanceId);
    return;
  }
  // Entity batches consume up to a claim's limit of messages: one statement instead of one per message.
  connection
    .statement('DELETE FROM inbox WHERE id IN (SELECT value FROM json_each(?)) AND instance_id = ?')
    .run(JSON.stringify(ids), commit.instanceId);
}

/**
 * Appends the turn's events after the stored ones as one row (a turn is
 * written and read whole, so one row per turn saves a row per event);
 * returns the new history length.
 */
function appendHistory(connection: Connection, commit: OrchestrationCommit, storedLength: number): number {
  if (commit.newEvents.length === 0) return storedLength;
  connection
    .statement('INSERT INTO history (instance_id, seq, events) VALUES (?, ?, ?)')
    .run(commit.instanceId, storedLength, JSON.stringify(commit.newEvents));
  return storedLength + commit.newEvents.length;
}

function updateInstance(connection: Connection, commit: OrchestrationCommit, historyLength: number): void {
  const next = commit.continueAsNew;
  connection
    .statement(
      `UPDATE instances SET
         runtime_status = @status, output = @output, failure = @failure,
         custom_status = CASE WHEN @setCustomStatus = 1 THEN @customStatus ELSE custom_status END,
         updated_at = @now, completed_at = @completedAt, history_length = @historyLength,
         execution_id = @executionId,
         input = CASE WHEN @setInput = 1 THEN @input ELSE input END,
         lease_owner = NULL, lease_expires_at = 0, deliveries = 0
       WHERE instance_id = @instanceId`,
    )
    .run({
      instanceId: commit.instanceId,
      status: commit.runtimeStatus,
      output: toJson(commit.output),
      failure: toJson(commit.failure),
      setCustomStatus: commit.customStatus === undefined ? 0 : 1,
      customStatus: toJson(commit.customStatus ?? undefined),
      now: commit.now,
      completedAt: isTerminalStatus(commit.runtimeStatus) ? commit.now : null,
      historyLength,
      executionId: next?.executionId ?? commit.executionId,
      setInput: next !== undefined || commit.input !== undefined ? 1 : 0,
      input: toJson(next === undefined ? commit.input : next.input),
    });
}

/** Continue-as-new: drop the old execution's history and queued activities, then queue the new start. */
function startNewExecution(connection: Connection, commit: OrchestrationCommit, name: string): void {
  const next = commit.continueAsNew!;
  connection.statement('DELETE FROM history WHERE instance_id = ?').run(commit.instanceId);
  connection.statement('DELETE FROM activities WHERE instance_id = ?').run(commit.instanceId);
  insertMessage(connection, {
    instanceId: commit.instanceId,
    executionId: next.executionId,
    visibleAt: commit.now,
    event: executionStarted({
      now: commit.now,
      name,
      executionId: next.executionId,
      input: next.input,
      parent: next.parent,
      trace: next.trace,
      version: next.version,
    }),
  });
  for (const event of next.carryover) {
    insertMessage(connection, { instanceId: commit.instanceId, executionId: undefined, visibleAt: commit.now, event });
  }
}

function insertActivities(connection: Connection, commit: OrchestrationCommit): void {
  const insert = connection.statement(
    `INSERT INTO activities (instance_id, execution_id, task_id, name, input, visible_at, attempt, lease_owner, lease_expires_at, lease_token,
                             timeout_ms, heartbeat_timeout_ms, heartbeat_details)
     VALUES (@instanceId, @executionId, @taskId, @name, @input, @now, @attempt, @owner, @expiresAt, @attempt,
             @timeoutMs, @heartbeatTimeoutMs, @heartbeatDetails)`,
  );
  for (const activity of commit.activities) {
    insert.run({
      instanceId: commit.instanceId,
      executionId: commit.executionId,
      taskId: activity.taskId,
      name: activity.name,
      input: toJson(activity.input),
      now: commit.now,
      // A pre-leased task is already being run by the committing host: its first delivery.
      attempt: activity.attempt ?? (activity.lease ? 1 : 0),
      owner: activity.lease?.owner ?? null,
      expiresAt: activity.lease?.expiresAt ?? 0,
      timeoutMs: activity.timeoutMs ?? null,
      heartbeatTimeoutMs: activity.heartbeatTimeoutMs ?? null,
      heartbeatDetails: toJson(activity.heartbeatDetails),
    });
  }
}
