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
 *   mid-turn on the old execution is fenced out at commit.
 */
import type { HistoryEvent } from '../../model/history.ts';
import type { InstanceRecord } from '../../model/instance.ts';
import { RuntimeStatus } from '../../model/runtime-status.ts';
import { decideStart } from '../start-policy.ts';
import type { ClientMessage, SendResult, StartRequest, StartResult } from '../store.ts';
import { executionStarted, toHistoryEvents, toInstanceRecord, toJson, type InstanceRow } from './codec.ts';
import type { Connection } from './database.ts';
import { deleteInstanceData, insertMessage } from './inbox.ts';

/** Start-if-absent for one request; call inside a write transaction. */
export function startInstance(connection: Connection, request: StartRequest): StartResult {
  const existing = readInstanceRow(connection, request.instanceId);
  if (existing === undefined) return { outcome: 'created', instance: insertInstance(connection, request) };
  const decision = decideStart(existing.runtime_status, request);
  if (decision === 'replace') return { outcome: 'replaced', instance: replaceInstance(connection, request) };
  return { outcome: decision, instance: toInstanceRecord(existing) };
}

function insertInstance(connection: Connection, request: StartRequest): InstanceRecord {
  const row = connection
    .statement(
      `INSERT INTO instances (instance_id, name, execution_id, runtime_status, input, parent_instance_id,
                              created_at, updated_at, history_length)
       VALUES (@instanceId, @name, @executionId, @status, @input, @parentInstanceId, @now, @now, 0)
       RETURNING *`,
    )
    .get(instanceParams(request)) as InstanceRow;
  enqueueStarted(connection, request);
  return toInstanceRecord(row);
}

/** Wipes the old execution and resets the row to the new one, in the caller's transaction. */
function replaceInstance(connection: Connection, request: StartRequest): InstanceRecord {
  deleteInstanceData(connection, request.instanceId);
  const row = connection
    .statement(
      `UPDATE instances SET
         name = @name, execution_id = @executionId, runtime_status = @status, input = @input,
         output = NULL, custom_status = NULL, failure = NULL, parent_instance_id = @parentInstanceId,
         created_at = @now, updated_at = @now, completed_at = NULL, history_length = 0,
         lease_owner = NULL, lease_expires_at = 0, lease_token = lease_token + 1
       WHERE instance_id = @instanceId
       RETURNING *`,
    )
    .get(instanceParams(request)) as InstanceRow;
  enqueueStarted(connection, request);
  return toInstanceRecord(row);
}

function instanceParams(request: StartRequest): Record<string, unknown> {
  return {
    instanceId: request.instanceId,
    name: request.name,
    executionId: request.executionId,
    status: RuntimeStatus.Pending,
    input: toJson(request.input),
    parentInstanceId: request.parent?.instanceId ?? null,
    now: request.now,
  };
}

function enqueueStarted(connection: Connection, request: StartRequest): void {
  insertMessage(connection, {
    instanceId: request.instanceId,
    executionId: request.executionId,
    visibleAt: request.visibleAt ?? request.now,
    event: executionStarted({
      now: request.now,
      name: request.name,
      executionId: request.executionId,
      input: request.input,
      parent: request.parent,
    }),
  });
}

/** Queues a client message if the instance's status allows it; call inside a write transaction. */
export function sendMessage(connection: Connection, message: ClientMessage): SendResult {
  const row = readInstanceRow(connection, message.instanceId);
  if (row === undefined) return { outcome: 'notFound' };
  if (!message.requireStatus.includes(row.runtime_status)) {
    return { outcome: 'wrongStatus', runtimeStatus: row.runtime_status };
  }
  insertMessage(connection, {
    instanceId: message.instanceId,
    executionId: undefined,
    visibleAt: message.now,
    event: message.event,
  });
  return { outcome: 'sent' };
}

export function readInstanceRow(connection: Connection, instanceId: string): InstanceRow | undefined {
  return connection.statement('SELECT * FROM instances WHERE instance_id = ?').get(instanceId) as
    | InstanceRow
    | undefined;
}

export function readHistory(connection: Connection, instanceId: string): HistoryEvent[] {
  const rows = connection
    .statement('SELECT events FROM history WHERE instance_id = ? ORDER BY seq')
    .pluck()
    .all(instanceId) as string[];
  return rows.flatMap(toHistoryEvents);
}
