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
 *   then passes the request on; the last one answers the holder. The release
 *   an ending holder sends travels the same path (entity-locks.ts).
 * - With a guard, operations run under the turn budget: requests run in
 *   guarded calls of at most a tenth of the budget each, so an operation
 *   the guard stops had at least nine tenths of it alone; it fails, rolled
 *   back, and the batch carries on with the next request.
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
import { RuntimeStatus } from '../model/runtime-status.ts';
import { isoTimestamp } from '../model/timestamp.ts';
import type { EntityDefinition } from '../runtime/entity.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Telemetry } from '../runtime/telemetry.ts';
import type { EntityOperationRun } from '../runtime/tracing.ts';
import type { FunctionApp } from '../runtime/app.ts';
import type { Clock } from '../runtime/clock.ts';
import type { ChildStart, OrchestrationCommit, OrchestrationWorkItem, OutboundMessage, Store } from '../store/store.ts';
import { operationBudgetFailure, poisonedTurnFailure } from './poison.ts';
import { entityRequestMessage, type OperationEffects, type WorkingState } from './entity-context.ts';
import { OperationRun } from './entity-operation.ts';
import { TurnBudgetExceeded, type TurnGuard } from './turn-guard.ts';

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
  /** Runs operations under the turn budget (turn-guard.ts); absent: unguarded. */
  readonly guard?: TurnGuard;
  readonly budgetMs?: number;
}

type OperationRequest = Extract<EntityRequest, { kind: 'call' | 'signal' }>;

class EntityBatch {
  readonly working: WorkingState;
  lockedBy: string | undefined;
  /** Requests held back while another instance holds the lock. */
  queue: EntityRequest[];
  /** Requests to run now, in order: the current message's, and held-back ones a release let through. */
  readonly work: EntityRequest[] = [];
  readonly consumed: string[] = [];
  readonly messages: OutboundMessage[] = [];
  readonly starts: ChildStart[] = [];
  /** What ran, for telemetry (only kept when there is telemetry). */
  readonly runs: EntityOperationRun[] = [];
  readonly operations: OperationRun | undefined;
  #next = 0;
  #started = 0;

  constructor(
    private readonly input: EntityBatchInput,
    private readonly id: EntityId,
  ) {
    const record = input.record;
    this.working = { exists: record?.exists === true, state: record?.state };
    this.lockedBy = record?.lockedBy;
    this.queue = [...(record?.queue ?? [])];
    const { definition, poisoned, logger, now, item } = input;
    if (definition && !poisoned) {
      const keep = (effects: OperationEffects) => {
        this.messages.push(...effects.messages);
        this.starts.push(...effects.starts);
      };
      this.operations = new OperationRun({ id, instanceId: item.instanceId, definition, working: this.working, logger, now, keep });
    }
  }

  /** Whether messages or requests are left to run. */
  get unfinished(): boolean {
    return this.work.length > 0 || (this.#next < this.input.item.messages.length && !this.#pastDeadline());
  }

  /**
   * Runs requests until none is left, `sliceMs` has passed, or an operation
   * returns a promise (which it then returns, wrapped so a guard does not adopt it).
   */
  runSome(sliceMs: number): { pending: Promise<void> } | undefined {
    const began = performance.now();
    for (;;) {
      const request = this.#take();
      if (request === undefined) return undefined;
      const pending = this.deliver(request);
      if (pending) return { pending };
      if (performance.now() - began >= sliceMs) return undefined;
    }
  }

  /** The next request: held back ones a release let through first, then the next message's (until the deadline). */
  #take(): EntityRequest | undefined {
    for (;;) {
      const queued = this.work.shift();
      if (queued !== undefined) return queued;
      const messages = this.input.item.messages;
      if (this.#next >= messages.length || this.#pastDeadline()) return undefined;
      const message = messages[this.#next++]!;
      this.consumed.push(message.id);
      const event = message.event;
      if (event.type === 'EventRaised' && event.name === ENTITY_REQUEST_EVENT && isEntityRequest(event.input)) return event.input;
    }
  }

  #pastDeadline(): boolean {
    const { deadline, clock } = this.input;
    return this.consumed.length > 0 && deadline !== undefined && clock !== undefined && clock() > deadline;
  }

  deliver(request: EntityRequest): Promise<void> | undefined {
    if (this.lockedBy !== undefined && request.parent !== this.lockedBy) return void this.queue.push(request);
    switch (request.kind) {
      case 'lock':
        return void this.lock(request);
      case 'release':
        return void this.release(request);
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

  /** Unlocks (if the sender holds the lock), lets held-back requests run, and passes an ending holder's release on. */
  release(request: Extract<EntityRequest, { kind: 'release' }>): void {
    if (this.lockedBy === request.parent) this.lockedBy = undefined;
    if (this.lockedBy === undefined && this.queue.length > 0) this.work.unshift(...this.queue.splice(0));
    const next = request.lockSet?.[(request.position ?? 0) + 1];
    if (next === undefined) return;
    this.messages.push({
      instanceId: next,
      event: {
        type: 'EventRaised',
        timestamp: isoTimestamp(this.input.now),
        name: ENTITY_REQUEST_EVENT,
        input: { ...request, position: (request.position ?? 0) + 1 },
      },
      visibleAt: this.input.now,
    });
  }

  operation(request: OperationRequest): Promise<void> | undefined {
    this.#started = this.input.telemetry ? performance.now() : 0;
    const start = this.input.telemetry ? this.#clock() : 0;
    const response = this.run(request);
    if (response instanceof Promise) return response.then((r) => this.finished(request, r, start));
    this.finished(request, response, start);
    return undefined;
  }

  run(request: OperationRequest): EntityResponse | Promise<EntityResponse> {
    if (this.input.poisoned) return { failure: this.input.poisoned };
    if (!this.operations) return { failure: toFailureDetails(new FunctionNotFoundError('entity', this.id.name)) };
    return this.operations.run(request);
  }

  /** The guard stopped the running operation: it fails, rolled back, and the batch goes on. */
  stopped(budgetMs: number): void {
    const running = this.operations?.running;
    if (!running) return;
    const failure = operationBudgetFailure({ instanceId: this.input.item.instanceId, operation: running.request.op, budgetMs });
    this.input.logger.error(`[perdure] ${failure.message}`);
    const stopped = this.operations.stop(failure)!;
    this.finished(stopped.request, stopped.response, this.input.telemetry ? this.#clock() : 0);
  }

  finished(request: OperationRequest, response: EntityResponse, start: number): void {
    if (this.input.telemetry) this.#measured(request, response, start);
    if (request.kind === 'call') return this.respond(request, response);
    if ('failure' in response) {
      this.input.logger.warn(
        `[perdure] signal '${request.op}' to entity '${this.input.item.instanceId}' failed: ${response.failure.message}`,
      );
    }
  }

  #clock(): number {
    return (this.input.clock ?? (() => this.input.now))();
  }

  /** Keeps what telemetry reports of an operation: times, outcome, and the caller's trace context. */
  #measured(request: OperationRequest, response: EntityResponse, start: number): void {
    this.runs.push({
      name: this.id.name,
      instanceId: this.input.item.instanceId,
      operation: request.op,
      kind: request.kind,
      ...(request.traceparent === undefined ? {} : { traceparent: request.traceparent }),
      ...(request.tracestate === undefined ? {} : { tracestate: request.tracestate }),
      start,
      end: this.#clock(),
      seconds: (performance.now() - this.#started) / 1000,
      ...('failure' in response ? { failure: response.failure } : {}),
    });
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
  readonly guard?: TurnGuard;
  readonly turnBudgetMs?: number;
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
    ...(deps.guard && deps.turnBudgetMs ? { guard: deps.guard, budgetMs: deps.turnBudgetMs } : {}),
  });
}

/** Runs the batch and returns its commit. */
export async function runEntityBatch(input: EntityBatchInput): Promise<OrchestrationCommit> {
  const { item, now } = input;
  const id = parseEntityInstanceId(item.instanceId)!;
  const batch = new EntityBatch(input, id);
  await runGuarded(batch, input);
  const record = batch.record();
  // An entity without state, lock or held-back requests is Completed: cleanEntityStorage may purge it,
  // and its next request brings it back (the worker runs entity batches whatever the status).
  const idle = !record.exists && record.lockedBy === undefined && record.queue === undefined;
  const commit: OrchestrationCommit = {
    instanceId: item.instanceId,
    executionId: item.executionId,
    leaseToken: item.leaseToken,
    consumedMessageIds: batch.consumed,
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

/**
 * Runs the batch's requests in guarded calls of at most a tenth of the
 * budget each (one call for a batch of quick synchronous operations); an
 * operation that returns a promise is awaited between calls.
 */
async function runGuarded(batch: EntityBatch, input: EntityBatchInput): Promise<void> {
  const { guard, budgetMs } = input;
  if (!guard || !budgetMs) {
    while (batch.unfinished) await batch.runSome(Infinity)?.pending;
    return;
  }
  while (batch.unfinished) {
    try {
      await (
        await guard(() => batch.runSome(budgetMs / 10))
      )?.pending;
    } catch (error) {
      if (!(error instanceof TurnBudgetExceeded)) throw error;
      batch.stopped(budgetMs);
    }
  }
}
