/**
 * @module sqlite/instances
 * Owns instance rows: start-if-absent (with its conflict policies), client
 * messages that depend on an instance's status, and point reads.
 *
 * What must hold:
 * - startInstance() and sendMessage() run inside the caller's write
 *   transaction, and decide on a row they read inside it: with
 *   BEGIN IMMEDIATE no other process can write between the read and the
 *   write, so at most one live instance exists per ID.
 * - Replacing an instance bumps its lease token, so a worker that is still
 *   mid-turn on the old execution is fenced out at commit; replacing a live
 *   child tells its parent in the same transaction (replaced-parent.ts).
 * - An event ID is recorded in the transaction that queues its message, and
 *   checked before the status, so a retried raise is never queued twice.
 * - A start that asks for a lease (and is visible now) is written already
 *   leased, with the token a claim would have given it, and its work item
 *   holds exactly what a claim would have handed out: the ExecutionStarted
 *   message alone (and a signal-with-start's event after it), since a new or
 *   replaced execution has no other message.
 */
import type { ExecutionStartedEvent, HistoryEvent, InboxEvent, ParentRef } from '../../model/history.ts';
import { replacedParentNotice, startedParentIn, type ParentNotice } from '../replaced-parent.ts';
import { isLiveStatus, RuntimeStatus } from '../../model/runtime-status.ts';
import { decideStart, tombstoneAllowsStart, tombstoneConflict, type ExistingStart } from '../start-policy.ts';
import type {
  ClientMessage,
  CreateIfMissing,
  InboxMessage,
  OrchestrationWorkItem,
  SendResult,
  StartRequest,
  StartResult,
} from '../store.ts';
import { queuePendingStart } from './pending-starts.ts';
import { executionStarted, toHistoryEvents, toInstanceRecord, toJson, type InstanceRow } from './codec.ts';
import type { Connection } from './database.ts';
import { deleteInstanceData, insertMessage } from './inbox.ts';
import { readTombstone, takeTombstone } from './tombstones.ts';

/** Start-if-absent for one request; call inside a write transaction. */
export function startInstance(connection: Connection, request: StartRequest): StartResult {
  // A tombstone and an instance row never share an ID (a start that passes the check takes the tombstone).
  const tombstone = readTombstone(connection, request.instanceId);
  if (tombstone !== undefined) {
    if (!tombstoneAllowsStart(tombstone, request)) return tombstoneConflict(tombstone);
    takeTombstone(connection, request.instanceId);
  }
  const row = newExecutionRow(request, undefined);
  if (insertIfAbsent(connection, row)) return started(connection, 'created', row, request);
  const existing = readInstanceRow(connection, request.instanceId)!;
  const instance = toInstanceRecord(existing);
  const decision = decideStart(existingStart(existing), request);
  switch (decision.kind) {
    case 'replace': {
      const parent = isLiveStatus(existing.runtime_status) ? replacedParent(connection, existing) : undefined;
      const replacement = newExecutionRow(request, existing.lease_token);
      replaceInstance(connection, replacement);
      if (parent !== undefined) notifyParent(connection, replacedParentNotice(parent, request.now));
      return started(connection, 'replaced', replacement, request);
    }
    case 'existing': {
      const delivered = request.event !== undefined && isLiveStatus(existing.runtime_status);
      if (delivered) insertMessage(connection, eventMessage(request, request.event));
      return {
        outcome: 'existing',
        instance,
        ...(decision.sameRequest ? { sameRequest: true } : {}),
        ...(request.event === undefined ? {} : { eventDelivered: delivered }),
      };
    }
    case 'queue':
      queuePendingStart(connection, request);
      return { outcome: 'queued', instance };
    case 'conflict':
      return { outcome: 'conflict', instance, reason: decision.reason };
  }
}

export function existingStart(row: InstanceRow): ExistingStart {
  return { runtimeStatus: row.runtime_status, name: row.name, requestId: row.request_id, inputHash: row.input_hash };
}

/** The parent of the live execution about to be replaced, from its first history row or its queued start. */
function replacedParent(connection: Connection, row: InstanceRow): ParentRef | undefined {
  if (row.parent_instance_id === null) return undefined;
  const first = connection
    .statement('SELECT events FROM history WHERE instance_id = ? ORDER BY seq LIMIT 1')
    .pluck()
    .get(row.instance_id) as string | undefined;
  const events: (HistoryEvent | InboxEvent)[] = first === undefined ? [] : toHistoryEvents(first);
  if (first === undefined) {
    const queued = connection
      .statement('SELECT event FROM inbox WHERE instance_id = ? AND execution_id = ?')
      .pluck()
      .all(row.instance_id, row.execution_id) as string[];
    for (const text of queued) events.push(JSON.parse(text) as InboxEvent);
  }
  return startedParentIn(events, row.execution_id);
}

/** Queued only if the parent still exists (a message to a missing ID is dropped, as in commits). */
function notifyParent(connection: Connection, notice: ParentNotice): void {
  if (connection.statement('SELECT 1 FROM instances WHERE instance_id = ?').get(notice.instanceId) !== undefined) {
    insertMessage(connection, notice);
  }
}

function eventMessage(request: StartRequest, event: InboxEvent) {
  return { instanceId: request.instanceId, executionId: undefined, visibleAt: request.now, event };
}

/** The execution timeout's termination: instance-wide, visible when it falls due. */
function deadlineMessage(request: StartRequest, deadline: NonNullable<StartRequest['deadline']>) {
  return { instanceId: request.instanceId, executionId: undefined, visibleAt: deadline.at, event: deadline.event };
}

function started(connection: Connection, outcome: 'created' | 'replaced', row: InstanceRow, request: StartRequest): StartResult {
  const event = executionStartedOf(request);
  const messageId = insertMessage(connection, {
    instanceId: request.instanceId,
    executionId: request.executionId,
    visibleAt: request.visibleAt ?? request.now,
    event,
  });
  // Signal-with-start: the event follows ExecutionStarted in the same transaction.
  const signalId = request.event === undefined ? undefined : insertMessage(connection, eventMessage(request, request.event));
  if (request.deadline !== undefined) insertMessage(connection, deadlineMessage(request, request.deadline));
  // The record is built from what was written rather than read back: a read (or RETURNING *) costs
  // more than the rest of the start. toInstanceRecord parses the JSON, as a read would.
  const instance = toInstanceRecord(row);
  if (row.lease_owner === null) return { outcome, instance };
  const messages: InboxMessage[] = [{ id: String(messageId), executionId: request.executionId, event }];
  if (signalId !== undefined) messages.push({ id: String(signalId), event: request.event! });
  const workItem: OrchestrationWorkItem = {
    instanceId: row.instance_id,
    name: row.name,
    executionId: row.execution_id,
    runtimeStatus: row.runtime_status,
    historyLength: 0,
    leaseToken: row.lease_token,
    deliveries: row.deliveries,
    messages,
  };
  return { outcome, instance, workItem };
}

/**
 * The row of a new execution. Replacing bumps the old row's token (fencing
 * out a worker still on the old execution); a new row starts at 0, or at 1
 * (what a claim would give) when leased. A lease is taken only for a start
 * visible now: a delayed start is claimed when it falls due, never leased ahead.
 */
function newExecutionRow(request: StartRequest, replacedToken: number | undefined): InstanceRow {
  const lease = (request.visibleAt ?? request.now) <= request.now ? request.lease : undefined;
  return {
    instance_id: request.instanceId,
    name: request.name,
    execution_id: request.executionId,
    runtime_status: RuntimeStatus.Pending,
    input: toJson(request.input),
    output: null,
    custom_status: null,
    failure: null,
    parent_instance_id: request.parent?.instanceId ?? null,
    created_at: request.now,
    updated_at: request.now,
    completed_at: null,
    history_length: 0,
    lease_owner: lease?.owner ?? null,
    lease_expires_at: lease?.expiresAt ?? 0,
    lease_token: replacedToken !== undefined ? replacedToken + 1 : lease === undefined ? 0 : 1,
    // A leased start is the first turn's first delivery, counted like a claim.
    deliveries: lease === undefined ? 0 : 1,
    request_id: request.requestId ?? null,
    input_hash: request.inputHash ?? null,
    keep_tombstone: request.keepTombstone === true ? 1 : 0,
  };
}

/** Inserts the row unless the ID exists; true if it did. */
function insertIfAbsent(connection: Connection, row: InstanceRow): boolean {
  const { changes } = connection
    .statement(
      `INSERT INTO instances (instance_id, name, execution_id, runtime_status, input, parent_instance_id,
                              created_at, updated_at, history_length, lease_owner, lease_expires_at, lease_token, deliveries,
                              request_id, input_hash, keep_tombstone)
       VALUES (@instance_id, @name, @execution_id, @runtime_status, @input, @parent_instance_id,
               @created_at, @updated_at, 0, @lease_owner, @lease_expires_at, @lease_token, @deliveries,
               @request_id, @input_hash, @keep_tombstone)
       ON CONFLICT (instance_id) DO NOTHING`,
    )
    .run(insertParams(row));
  return changes === 1;
}

/** Wipes the old execution and resets the row to the new one, in the caller's transaction. */
function replaceInstance(connection: Connection, row: InstanceRow): void {
  deleteInstanceData(connection, row.instance_id);
  connection
    .statement(
      `UPDATE instances SET
         name = @name, execution_id = @execution_id, runtime_status = @runtime_status, input = @input,
         output = NULL, custom_status = NULL, failure = NULL, parent_instance_id = @parent_instance_id,
         created_at = @created_at, updated_at = @updated_at, completed_at = NULL, history_length = 0,
         lease_owner = @lease_owner, lease_expires_at = @lease_expires_at, lease_token = @lease_token,
         deliveries = @deliveries, request_id = @request_id, input_hash = @input_hash, keep_tombstone = @keep_tombstone
       WHERE instance_id = @instance_id`,
    )
    .run(insertParams(row));
}

function insertParams(row: InstanceRow): Record<string, unknown> {
  const {
    output: _output,
    custom_status: _customStatus,
    failure: _failure,
    completed_at: _completedAt,
    history_length: _length,
    ...params
  } = row;
  return params;
}

function executionStartedOf(request: StartRequest): ExecutionStartedEvent {
  return executionStarted({
    now: request.now,
    name: request.name,
    executionId: request.executionId,
    input: request.input,
    parent: request.parent,
    trace: request.trace,
    version: request.version,
  });
}

/**
 * Creates an idle Pending row for the ID unless one exists (CreateIfMissing);
 * call inside a write transaction.
 */
export function ensureInstance(connection: Connection, instanceId: string, create: CreateIfMissing, now: number): void {
  connection
    .statement(
      `INSERT INTO instances (instance_id, name, execution_id, runtime_status, created_at, updated_at, history_length)
       VALUES (?, ?, ?, ?, ?, ?, 0)
       ON CONFLICT (instance_id) DO NOTHING`,
    )
    .run(instanceId, create.name, create.executionId, RuntimeStatus.Pending, now, now);
}

/** Queues a client message if the instance's status allows it; call inside a write transaction. */
export function sendMessage(connection: Connection, message: ClientMessage): SendResult {
  let row = readStatus(connection, message.instanceId);
  if (row === undefined && message.createIfMissing) {
    ensureInstance(connection, message.instanceId, message.createIfMissing, message.now);
    row = readStatus(connection, message.instanceId);
  }
  if (row === undefined) return { outcome: 'notFound' };
  // A retry is recognised whatever the instance's status now: the first send was accepted.
  const seen = message.eventId === undefined ? undefined : readEventFingerprint(connection, message.instanceId, message.eventId.id);
  if (seen !== undefined) return { outcome: seen === message.eventId!.fingerprint ? 'duplicate' : 'eventIdConflict' };
  if (!message.requireStatus.includes(row.runtime_status)) {
    return { outcome: 'wrongStatus', runtimeStatus: row.runtime_status };
  }
  if (message.eventId !== undefined) {
    connection
      .statement('INSERT INTO event_ids (instance_id, event_id, fingerprint) VALUES (?, ?, ?)')
      .run(message.instanceId, message.eventId.id, message.eventId.fingerprint);
  }
  insertMessage(connection, {
    instanceId: message.instanceId,
    executionId: undefined,
    visibleAt: message.visibleAt ?? message.now,
    event: message.event,
  });
  return { outcome: 'sent' };
}

/** Only the status: the row's input can be large (an entity's state), and a send needs none of it. */
function readStatus(connection: Connection, instanceId: string): Pick<InstanceRow, 'runtime_status'> | undefined {
  return connection.statement('SELECT runtime_status FROM instances WHERE instance_id = ?').get(instanceId) as
    Pick<InstanceRow, 'runtime_status'> | undefined;
}

function readEventFingerprint(connection: Connection, instanceId: string, eventId: string): string | undefined {
  return connection
    .statement('SELECT fingerprint FROM event_ids WHERE instance_id = ? AND event_id = ?')
    .pluck()
    .get(instanceId, eventId) as string | undefined;
}

export function readInstanceRow(connection: Connection, instanceId: string): InstanceRow | undefined {
  return connection.statement('SELECT * FROM instances WHERE instance_id = ?').get(instanceId) as InstanceRow | undefined;
}

export function readHistory(connection: Connection, instanceId: string): HistoryEvent[] {
  const rows = connection.statement('SELECT events FROM history WHERE instance_id = ? ORDER BY seq').pluck().all(instanceId) as string[];
  return rows.flatMap(toHistoryEvents);
}
