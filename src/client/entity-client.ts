/**
 * @module entity-client
 * The client's entity operations: signal, read, list and clean. Entities are
 * instances whose IDs start with '@' (entity-id.ts), so these are sends,
 * reads and listings of such instances; nothing here runs entity code.
 *
 * What must hold: a signal is one send that creates the entity if it does
 * not exist (createIfMissing), so it is never refused for a missing entity
 * and never queued twice.
 */
import { randomUUID } from 'node:crypto';
import {
  entityInstanceId,
  parseEntityInstanceId,
  validateEntityId,
  validateEntityKey,
  validateEntityName,
  type EntityId,
} from '../model/entity-id.ts';
import { ENTITY_REQUEST_EVENT, type EntityOperationRequest, type EntityRecord } from '../model/entity-message.ts';
import { StoreUnavailableError, ValidationError } from '../model/errors.ts';
import { validateFunctionName } from '../model/instance-id.ts';
import { normalizePayload } from '../model/json.ts';
import { ALL_RUNTIME_STATUSES, isTerminalStatus, RuntimeStatus } from '../model/runtime-status.ts';
import type { InstanceRecord } from '../model/instance.ts';
import type { ClientMessage, Store } from '../store/store.ts';
import { MAX_PAGE_SIZE } from './filters.ts';
import type { SendBatcher } from './send-batcher.ts';
import type { StartObserver } from './start-observer.ts';

export interface SignalEntityOptions {
  /** Deliver the operation at this time instead of now. */
  readonly at?: Date;
}

export interface EntityStateResponse<T> {
  readonly exists: boolean;
  readonly state?: T;
}

export interface ListEntitiesQuery {
  /** Only entities of this name. */
  readonly name?: string;
  /** With `name`: only keys that start with this. */
  readonly prefix?: string;
  /** 1 to 1000 (default 100). A page may hold fewer (entities without state are left out). */
  readonly pageSize?: number;
  readonly continuationToken?: string;
  readonly includeState?: boolean;
  /** Include entities whose state was deleted (default false). */
  readonly includeDeleted?: boolean;
  /**
   * Only entities whose last operation (the last batch that committed on
   * them) was at or after this time, as Durable Functions' `LastOperationFrom`.
   */
  readonly lastOperationFrom?: Date;
  /** Only entities whose last operation was at or before this time (inclusive). */
  readonly lastOperationTo?: Date;
}

export interface EntityMetadata {
  readonly id: EntityId;
  readonly lastModifiedTime: Date;
  readonly exists: boolean;
  readonly state?: unknown;
  /** The instance holding the entity's lock, if any. */
  readonly lockedBy?: string;
  /** Requests held back while it is locked. */
  readonly backlogQueueSize: number;
}

export interface EntityPage {
  readonly entities: EntityMetadata[];
  readonly continuationToken?: string;
}

export interface EntityClientDeps {
  readonly store: Store;
  readonly batcher: SendBatcher;
  readonly now: () => number;
  readonly maxPayloadBytes: number;
  readonly onWork?: (() => void) | undefined;
  /** Traces and counts signals (start-observer.ts). */
  readonly observer?: StartObserver | undefined;
}

export async function signalEntity(
  deps: EntityClientDeps,
  id: EntityId,
  operationName: string,
  input: unknown,
  options: SignalEntityOptions = {},
): Promise<void> {
  const target = validateEntityId(id);
  const op = validateFunctionName(operationName, 'operationName');
  const payload = normalizePayload(input, 'input', deps.maxPayloadBytes);
  const at = options.at;
  if (at !== undefined && (!(at instanceof Date) || Number.isNaN(at.getTime()))) throw new ValidationError('at', 'must be a valid Date');
  const now = deps.now();
  const instanceId = entityInstanceId(target);
  const observed = deps.observer?.beforeSignal?.({ name: target.name, operation: op, instanceId });
  const request: EntityOperationRequest = {
    kind: 'signal',
    id: randomUUID(),
    op,
    ...(payload === undefined ? {} : { input: payload }),
    ...(observed?.traceparent ? { traceparent: observed.traceparent } : {}),
    ...(observed?.tracestate ? { tracestate: observed.tracestate } : {}),
  };
  const message: ClientMessage = {
    instanceId,
    createIfMissing: { name: target.name, executionId: randomUUID() },
    event: { type: 'EventRaised', timestamp: new Date(now).toISOString(), name: ENTITY_REQUEST_EVENT, input: request },
    requireStatus: ALL_RUNTIME_STATUSES,
    now,
    ...(at === undefined ? {} : { visibleAt: Math.max(now, at.getTime()) }),
  };
  const result = await deps.batcher.send(message).catch((error: unknown) => {
    observed?.after('failed');
    throw error;
  });
  observed?.after(result.outcome);
  // The row was created or found in the same transaction; anything else means a concurrent purge won the race.
  if (result.outcome !== 'sent')
    throw new StoreUnavailableError(`the signal to entity '${message.instanceId}' was not queued (${result.outcome})`);
  deps.onWork?.();
}

export async function readEntityState<T>(store: Store, id: EntityId): Promise<EntityStateResponse<T>> {
  const record = await store.getInstance(entityInstanceId(validateEntityId(id)));
  const entity = record?.input as EntityRecord | undefined;
  if (!entity?.exists) return { exists: false };
  return { exists: true, state: entity.state as T };
}

/** One entity's metadata (lock holder, queued requests), or undefined when no instance holds it. */
export async function getEntity(store: Store, id: EntityId, includeState: boolean): Promise<EntityMetadata | undefined> {
  const record = await store.getInstance(entityInstanceId(validateEntityId(id)));
  return record === undefined ? undefined : toMetadata(record, includeState);
}

export async function listEntities(store: Store, query: ListEntitiesQuery = {}): Promise<EntityPage> {
  const pageSize = query.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new ValidationError('pageSize', `must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${String(query.pageSize)})`);
  }
  if (query.prefix !== undefined && query.name === undefined) throw new ValidationError('prefix', 'needs a name');
  const name = query.name === undefined ? undefined : validateEntityName(query.name, 'name');
  const prefix = query.prefix === undefined || query.prefix === '' ? '' : validateEntityKey(query.prefix, 'prefix');
  if (query.continuationToken !== undefined && typeof query.continuationToken !== 'string') {
    throw new ValidationError('continuationToken', 'must be a string');
  }
  const from = optionalDate(query.lastOperationFrom, 'lastOperationFrom');
  const to = optionalDate(query.lastOperationTo, 'lastOperationTo');
  const page = await store.listInstances({
    instanceIdPrefix: name === undefined ? '@' : `@${name}@${prefix}`,
    pageSize,
    ...(from === undefined ? {} : { updatedFrom: from }),
    ...(to === undefined ? {} : { updatedTo: to }),
    ...(query.continuationToken === undefined ? {} : { continuationToken: query.continuationToken }),
  });
  const entities = page.instances.flatMap((record) => {
    const metadata = toMetadata(record, query.includeState === true);
    return metadata && (metadata.exists || query.includeDeleted === true) ? [metadata] : [];
  });
  return { entities, ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
}

function optionalDate(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new ValidationError(field, 'must be a valid Date');
  return value.getTime();
}

function toMetadata(record: InstanceRecord, includeState: boolean): EntityMetadata | undefined {
  const id = parseEntityInstanceId(record.instanceId);
  if (!id) return undefined;
  const entity = (record.input ?? { exists: false }) as EntityRecord;
  return {
    id,
    lastModifiedTime: new Date(record.updatedAt),
    exists: entity.exists,
    ...(includeState && entity.exists ? { state: entity.state } : {}),
    ...(entity.lockedBy === undefined ? {} : { lockedBy: entity.lockedBy }),
    backlogQueueSize: entity.queue?.length ?? 0,
  };
}

export interface CleanEntityStorageResult {
  readonly emptyEntitiesRemoved: number;
  readonly orphanedLocksReleased: number;
}

/**
 * Removes entities that have no state (and no lock and nothing queued), and
 * releases locks held by orchestrations that have ended or no longer exist.
 */
export async function cleanEntityStorage(deps: EntityClientDeps): Promise<CleanEntityStorageResult> {
  let emptyEntitiesRemoved = 0;
  let orphanedLocksReleased = 0;
  let continuationToken: string | undefined;
  do {
    const page = await deps.store.listInstances({
      instanceIdPrefix: '@',
      pageSize: MAX_PAGE_SIZE,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const record of page.instances) {
      if (record.runtimeStatus === RuntimeStatus.Completed) {
        emptyEntitiesRemoved += await deps.store.purge({ instanceId: record.instanceId, onlyIfInboxEmpty: true });
        continue;
      }
      const holder = (record.input as EntityRecord | undefined)?.lockedBy;
      if (holder === undefined || !(await isGone(deps.store, holder))) continue;
      await releaseFor(deps, record.instanceId, holder);
      orphanedLocksReleased += 1;
    }
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
  if (orphanedLocksReleased > 0) deps.onWork?.();
  return { emptyEntitiesRemoved, orphanedLocksReleased };
}

async function isGone(store: Store, instanceId: string): Promise<boolean> {
  if (parseEntityInstanceId(instanceId)) return false;
  const holder = await store.getInstance(instanceId);
  return holder === undefined || isTerminalStatus(holder.runtimeStatus);
}

async function releaseFor(deps: EntityClientDeps, instanceId: string, holder: string): Promise<void> {
  const now = deps.now();
  await deps.store.send([
    {
      instanceId,
      event: {
        type: 'EventRaised',
        timestamp: new Date(now).toISOString(),
        name: ENTITY_REQUEST_EVENT,
        input: { kind: 'release', id: randomUUID(), parent: holder },
      },
      requireStatus: ALL_RUNTIME_STATUSES,
      now,
    },
  ]);
}
