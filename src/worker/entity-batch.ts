/**
 * @module entity-batch
 * Runs one batch of an entity: every request a claim handed out, in arrival
 * order, as one commit. No orchestrator code runs and no history is kept:
 * the entity's state and scheduler state (lock holder, held-back requests)
 * are its instance's input, read at the start of the batch and replaced by
 * the commit, together with every response, signal and start the batch's
 * operations issued. The lease fences the commit like any turn's.
 *
 * What must hold:
 * - Operations run one at a time, in the order their messages arrived.
 * - An operation that throws (or leaves state or a result that is not JSON)
 *   rolls back its own state change and drops its own signals and starts;
 *   the operations before and after it keep theirs.
 * - While locked, only the lock holder's requests run; the others are held
 *   back in order and run once the holder releases.
 * - Lock requests travel their sorted lock set in order: each entity locks,
 *   then passes the request on; the last one answers the holder.
 */
import { parseEntityInstanceId, type EntityId } from '../model/entity-id.ts';
import {
  ENTITY_REQUEST_EVENT,
  isEntityRequest,
  type EntityRecord,
  type EntityRequest,
  type EntityResponse,
} from '../model/entity-message.ts';
import { FunctionNotFoundError } from '../model/errors.ts';
import { toFailureDetails, type FailureDetails } from '../model/failure.ts';
import { normalizePayload } from '../model/json.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import { isoTimestamp } from '../model/timestamp.ts';
import type { EntityDefinition } from '../runtime/entity.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Telemetry } from '../runtime/telemetry.ts';
import type { EntityOperationRun } from '../runtime/tracing.ts';
import type { FunctionApp } from '../runtime/app.ts';
import type { Clock } from '../runtime/clock.ts';
import type { ChildStart, OrchestrationCommit, OrchestrationWorkItem, OutboundMessage, Store } from '../store/store.ts';
import { poisonedTurnFailure } from './poison.ts';
import { entityRequestMessage, OperationContext, type WorkingState } from './entity-context.ts';

export interface EntityBatchInput {
  readonly item: OrchestrationWorkItem;
  /** The stored record (the instance's input), undefined for a new entity. */
  readonly record: EntityRecord | undefined;
  readonly definition: EntityDefinition<unknown> | undefined;
  readonly now: number;
  readonly logger: Logger;
  /** Set when the batch was delivered too often without a commit: operations fail without running. */
  readonly poisoned?: FailureDetails;
  /**
   * Reads the clock; once it passes `deadline` the batch stops and the
   * messages not yet run stay queued for the next claim, so a batch of slow
   * operations commits well within its lease.
   */
  readonly clock?: () => number;
  readonly deadline?: number;
  /** Told of the batch's operations, which it counts and traces once the commit goes through. */
  readonly telemetry?: Telemetry;
}

class EntityBatch {
  readonly working: WorkingState;
  lockedBy: string | undefined;
  queue: EntityRequest[];
  readonly messages: OutboundMessage[] = [];
  readonly starts: ChildStart[] = [];
  /** What ran, for telemetry (only kept when there is telemetry). */
  readonly runs: EntityOperationRun[] = [];

  constructor(
    private readonly input: EntityBatchInput,
    private readonly id: EntityId,
  ) {
    const record = input.record;
    this.working = { exists: record?.exists === true, state: record?.state };
    this.lockedBy = record?.lockedBy;
    this.queue = [...(record?.queue ?? [])];
  }

  async deliver(request: EntityRequest): Promise<void> {
    if (this.lockedBy !== undefined && request.parent !== this.lockedBy) return void this.queue.push(request);
    await this.handle(request);
    if (request.kind === 'release') await this.drainQueue();
  }

  /** After a release: runs held-back requests in order, keeping back those a new lock holder excludes. */
  async drainQueue(): Promise<void> {
    const waiting = this.queue;
    this.queue = [];
    for (const request of waiting) await this.deliver(request);
  }

  async handle(request: EntityRequest): Promise<void> {
    switch (request.kind) {
      case 'lock':
        return this.lock(request);
      case 'release':
        if (this.lockedBy === request.parent) this.lockedBy = undefined;
        return;
      default:
        return this.operation(request);
    }
  }

  lock(request: Extract<EntityRequest, { kind: 'lock' }>): void {
    this.lockedBy = request.parent;
    const next = request.lockSet[request.position + 1];
    if (next === undefined) return this.respond(request, { result: null });
    const target = parseEntityInstanceId(next);
    if (target) this.messages.push(entityRequestMessage(target, { ...request, position: request.position + 1 }, this.input.now));
  }

  async operation(request: Extract<EntityRequest, { kind: 'call' | 'signal' }>): Promise<void> {
    const response = this.input.telemetry ? await this.measured(request) : await this.run(request);
    if (request.kind === 'call') this.respond(request, response);
    else if ('failure' in response) {
      this.input.logger.warn(
        `[perdure] signal '${request.op}' to entity '${this.input.item.instanceId}' failed: ${response.failure.message}`,
      );
    }
  }

  /** Runs the operation and keeps what telemetry reports of it: times, outcome, and the caller's trace context. */
  async measured(request: Extract<EntityRequest, { kind: 'call' | 'signal' }>): Promise<EntityResponse> {
    const clock = this.input.clock ?? (() => this.input.now);
    const start = clock();
    const began = performance.now();
    const response = await this.run(request);
    this.runs.push({
      name: this.id.name,
      instanceId: this.input.item.instanceId,
      operation: request.op,
      kind: request.kind,
      ...(request.traceparent === undefined ? {} : { traceparent: request.traceparent }),
      ...(request.tracestate === undefined ? {} : { tracestate: request.tracestate }),
      start,
      end: clock(),
      seconds: (performance.now() - began) / 1000,
      ...('failure' in response ? { failure: response.failure } : {}),
    });
    return response;
  }

  async run(request: Extract<EntityRequest, { kind: 'call' | 'signal' }>): Promise<EntityResponse> {
    const { definition, poisoned, logger, now } = this.input;
    if (poisoned) return { failure: poisoned };
    if (!definition) return { failure: toFailureDetails(new FunctionNotFoundError('entity', this.id.name)) };
    const snapshot = JSON.stringify(this.working);
    const ctx = new OperationContext(this.id, request.op, request.input, this.working, logger, now);
    try {
      const returned = await definition.handler(ctx);
      const result = normalizePayload(ctx.returned ? ctx.returned.value : returned, `result of operation '${request.op}'`);
      this.working.state = normalizePayload(this.working.state, `state of entity '${this.input.item.instanceId}'`);
      this.messages.push(...ctx.effects.messages);
      this.starts.push(...ctx.effects.starts);
      return result === undefined ? {} : { result };
    } catch (error) {
      const restored = JSON.parse(snapshot) as WorkingState;
      this.working.exists = restored.exists;
      this.working.state = restored.state;
      return { failure: toFailureDetails(error) };
    }
  }

  respond(request: EntityRequest, response: EntityResponse): void {
    if (request.parent === undefined) return;
    this.messages.push({
      instanceId: request.parent,
      ...(request.parentExecutionId === undefined ? {} : { executionId: request.parentExecutionId }),
      event: { type: 'EventRaised', timestamp: isoTimestamp(this.input.now), name: request.id, input: response },
      visibleAt: this.input.now,
    });
  }

  record(): EntityRecord {
    return {
      exists: this.working.exists,
      ...(this.working.exists && this.working.state !== undefined ? { state: this.working.state } : {}),
      ...(this.lockedBy === undefined ? {} : { lockedBy: this.lockedBy }),
      ...(this.queue.length === 0 ? {} : { queue: this.queue }),
    };
  }
}

export interface EntityBatchDeps {
  readonly store: Store;
  readonly app: FunctionApp;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxDeliveries: number;
  readonly leaseMs: number;
  readonly telemetry?: Telemetry | undefined;
}

/** Reads the entity's record and runs the batch of a claimed entity; past maxDeliveries its operations fail unrun. */
export async function entityBatchFor(deps: EntityBatchDeps, item: OrchestrationWorkItem): Promise<OrchestrationCommit> {
  const { store, app, clock, logger, maxDeliveries } = deps;
  const stored = await store.getInstance(item.instanceId);
  const name = parseEntityInstanceId(item.instanceId)!.name;
  const poisoned =
    item.deliveries > maxDeliveries
      ? poisonedTurnFailure({ instanceId: item.instanceId, name: `entity ${name}`, deliveries: item.deliveries - 1, maxDeliveries })
      : undefined;
  if (poisoned) logger.error(`[perdure] ${poisoned.message}`);
  return runEntityBatch({
    item,
    record: stored?.input as EntityRecord | undefined,
    definition: app.getEntity(name),
    now: clock.now(),
    logger,
    clock: () => clock.now(),
    deadline: clock.now() + deps.leaseMs / 3,
    ...(poisoned ? { poisoned } : {}),
    ...(deps.telemetry ? { telemetry: deps.telemetry } : {}),
  });
}

/** Runs the batch and returns its commit. */
export async function runEntityBatch(input: EntityBatchInput): Promise<OrchestrationCommit> {
  const { item, now } = input;
  const id = parseEntityInstanceId(item.instanceId)!;
  const batch = new EntityBatch(input, id);
  const consumed: string[] = [];
  for (const message of item.messages) {
    if (consumed.length > 0 && input.deadline !== undefined && input.clock !== undefined && input.clock() > input.deadline) break;
    consumed.push(message.id);
    const event = message.event;
    if (event.type !== 'EventRaised' || event.name !== ENTITY_REQUEST_EVENT || !isEntityRequest(event.input)) continue;
    await batch.deliver(event.input);
  }
  const record = batch.record();
  // An entity without state, lock or held-back requests is Completed: cleanEntityStorage may purge it,
  // and its next request brings it back (the worker runs entity batches whatever the status).
  const idle = !record.exists && record.lockedBy === undefined && record.queue === undefined;
  const commit: OrchestrationCommit = {
    instanceId: item.instanceId,
    executionId: item.executionId,
    leaseToken: item.leaseToken,
    consumedMessageIds: consumed,
    newEvents: [],
    runtimeStatus: idle ? RuntimeStatus.Completed : RuntimeStatus.Running,
    input: record,
    activities: [],
    messages: batch.messages,
    childStarts: batch.starts,
    now,
  };
  input.telemetry?.entityBatchRan(commit, batch.runs);
  return commit;
}
