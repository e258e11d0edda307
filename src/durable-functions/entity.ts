/**
 * @module durable-functions/entity
 * The entity value classes of `durable-functions` v3 (`EntityId`,
 * `EntityStateResponse`, `LockState`, `DurableLock`) and the entity types.
 * Entities themselves do not run on Perdure yet: every operation on one
 * throws UnsupportedFeatureError (errors.ts).
 */
import { InvocationContext } from '../azure-functions/invocation-context.ts';
import type { FunctionOptions, FunctionTrigger, LogHandler } from '../azure-functions/types.ts';
import { entitiesUnsupported } from './errors.ts';

export class EntityId {
  constructor(
    readonly name: string,
    readonly key: string,
  ) {
    if (typeof name !== 'string' || name === '') throw new TypeError('name: Expected non-empty string but got ' + typeof name);
    if (typeof key !== 'string' || key === '') throw new TypeError('key: Expected non-empty string but got ' + typeof key);
  }
  toString(): string {
    return `@${this.name.toLowerCase()}@${this.key}`;
  }
}

export class EntityStateResponse<T> {
  constructor(
    public entityExists: boolean,
    public entityState?: T,
  ) {}
}

export class LockState {
  constructor(
    readonly isLocked: boolean,
    readonly ownedLocks: EntityId[],
  ) {}
}

export class DurableLock {
  readonly ownedLocks: ReadonlyArray<EntityId> = [];
  release(): void {
    entitiesUnsupported('DurableLock.release');
  }
  [Symbol.dispose](): void {
    this.release();
  }
}

export type EntityHandler<T> = (context: EntityContext<T>) => void;

export interface EntityOptions<T> extends Partial<FunctionOptions> {
  handler: EntityHandler<T>;
}

export interface EntityTrigger extends FunctionTrigger {
  type: 'entityTrigger';
}

export interface EntityContext<T> extends InvocationContext {
  df: DurableEntityContext<T>;
}

export interface DurableEntityContext<TState> {
  readonly entityName: string;
  readonly entityKey: string;
  readonly entityId: EntityId;
  readonly operationName: string | undefined;
  readonly isNewlyConstructed: boolean;
  getState(initializer?: () => TState): TState | undefined;
  setState(state: TState): void;
  getInput<TInput = TState>(): TInput | undefined;
  return<TResult = TState>(result: TResult): void;
  destructOnExit(): void;
  signalEntity(entity: EntityId, operationName: string, operationInput?: unknown): void;
}

/** Durable Functions' test double for entity contexts; its `df` throws, since entities do not run on Perdure. */
export class DummyEntityContext<T> extends InvocationContext implements EntityContext<T> {
  constructor(functionName?: string, invocationId?: string, logHandler?: LogHandler) {
    super({ ...(functionName ? { functionName } : {}), ...(invocationId ? { invocationId } : {}), ...(logHandler ? { logHandler } : {}) });
  }
  get df(): DurableEntityContext<T> {
    return entitiesUnsupported('DummyEntityContext.df');
  }
}
