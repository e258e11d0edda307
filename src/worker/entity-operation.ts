/**
 * @module entity-operation
 * Runs one entity operation with its own rollback. The handler is called
 * synchronously, so that a batch of synchronous operations runs in one
 * guarded call (entity-batch.ts); an operation that returns a promise is
 * awaited, and its code after an `await` runs outside the guard, as an
 * activity's does.
 *
 * What must hold:
 * - The state is snapshotted (as JSON) before the handler runs, and restored
 *   if it throws, leaves state or a result that is not JSON, or is stopped
 *   by the budget (`stop`): a failed operation changes nothing.
 * - Effects (signals, starts) reach the batch only once the operation has
 *   succeeded.
 */
import type { EntityId } from '../model/entity-id.ts';
import type { EntityOperationRequest, EntityResponse } from '../model/entity-message.ts';
import { toFailureDetails, type FailureDetails } from '../model/failure.ts';
import { normalizePayload } from '../model/json.ts';
import type { EntityDefinition } from '../runtime/entity.ts';
import type { Logger } from '../runtime/logger.ts';
import { OperationContext, type OperationEffects, type WorkingState } from './entity-context.ts';

export interface OperationTarget {
  readonly id: EntityId;
  readonly instanceId: string;
  readonly definition: EntityDefinition<unknown>;
  readonly working: WorkingState;
  readonly logger: Logger;
  readonly now: number;
  /** Told of the effects of an operation that succeeded. */
  keep(effects: OperationEffects): void;
}

/** The operation in flight: what a budget stop rolls back. */
export interface RunningOperation {
  readonly request: EntityOperationRequest;
  readonly snapshot: string;
}

export class OperationRun {
  #running: RunningOperation | undefined;

  constructor(private readonly target: OperationTarget) {}

  /** The operation that is running (undefined between operations). */
  get running(): RunningOperation | undefined {
    return this.#running;
  }

  /** The response, or a promise of it when the handler returned one. Never throws. */
  run(request: EntityOperationRequest): EntityResponse | Promise<EntityResponse> {
    const { id, working, logger, now, definition } = this.target;
    const snapshot = JSON.stringify(working);
    const ctx = new OperationContext(id, request.op, request.input, working, logger, now);
    this.#running = { request, snapshot };
    let returned: unknown;
    try {
      returned = definition.handler(ctx);
    } catch (error) {
      return this.#rollBack(snapshot, toFailureDetails(error));
    }
    if (!isThenable(returned)) return this.#finish(ctx, request, returned, snapshot);
    return Promise.resolve(returned).then(
      (value) => this.#finish(ctx, request, value, snapshot),
      (error: unknown) => this.#rollBack(snapshot, toFailureDetails(error)),
    );
  }

  /** The running operation was stopped from outside (the budget): roll it back and fail it with `failure`. */
  stop(failure: FailureDetails): { request: EntityOperationRequest; response: EntityResponse } | undefined {
    const running = this.#running;
    if (!running) return undefined;
    return { request: running.request, response: this.#rollBack(running.snapshot, failure) };
  }

  #finish(ctx: OperationContext, request: EntityOperationRequest, returned: unknown, snapshot: string): EntityResponse {
    try {
      const result = normalizePayload(ctx.returned ? ctx.returned.value : returned, `result of operation '${request.op}'`);
      this.target.working.state = normalizePayload(this.target.working.state, `state of entity '${this.target.instanceId}'`);
      this.#running = undefined;
      this.target.keep(ctx.effects);
      return result === undefined ? {} : { result };
    } catch (error) {
      return this.#rollBack(snapshot, toFailureDetails(error));
    }
  }

  #rollBack(snapshot: string, failure: FailureDetails): EntityResponse {
    const restored = JSON.parse(snapshot) as WorkingState;
    this.target.working.exists = restored.exists;
    this.target.working.state = restored.state;
    this.#running = undefined;
    return { failure };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
