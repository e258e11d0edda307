/**
 * @module entity-tasks
 * The tasks an orchestration gets from entity calls and locks. Both wait for
 * an event named by the request's ID (the entity's response), recorded in
 * history like any raised event, so they replay from history alone.
 */
import type { EntityId } from '../model/entity-id.ts';
import type { EntityResponse } from '../model/entity-message.ts';
import { EntityOperationFailedError } from '../model/errors.ts';
import { CompositeTask, type Task } from './task.ts';

/** Completes with the operation's result, or fails with EntityOperationFailedError if it threw. */
export class EntityCallTask<T> extends CompositeTask<T> {
  constructor(
    response: Task<unknown>,
    readonly entityInstanceId: string,
    readonly operationName: string,
  ) {
    super([response]);
    this.settleFromChildren();
  }
  onChildSettled(child: Task<unknown>): void {
    if (child.isFaulted) return this.fail(child.error!);
    const response = child.result as EntityResponse | undefined;
    if (response === undefined) return this.complete(undefined as T);
    if ('failure' in response)
      return this.fail(new EntityOperationFailedError(this.entityInstanceId, this.operationName, response.failure));
    this.complete(response.result as T);
  }
}

/** Held while a critical section lasts; `release()` unlocks every entity of the section. */
export interface EntityLock {
  readonly entities: readonly EntityId[];
  release(): void;
}

/** Completes once every entity of the lock set is locked for this orchestration. */
export class EntityLockTask extends CompositeTask<EntityLock> {
  constructor(
    response: Task<unknown>,
    private readonly lock: EntityLock,
  ) {
    super([response]);
    this.settleFromChildren();
  }
  onChildSettled(child: Task<unknown>): void {
    if (child.isFaulted) return this.fail(child.error!);
    this.complete(this.lock);
  }
}
