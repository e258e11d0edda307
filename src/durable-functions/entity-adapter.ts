/**
 * @module durable-functions/entity-adapter
 * Runs a `durable-functions` v3 entity function on Perdure's entities: each
 * operation gets an `EntityContext` whose `df` maps onto Perdure's entity
 * context (state, input, result, signals), so the DF handler runs unchanged.
 *
 * What must hold: `destructOnExit()` deletes the state once the operation
 * returns (a later setState in the same operation does not bring it back),
 * and `isNewlyConstructed` says whether the entity had no state when the
 * operation began.
 */
import { randomUUID } from 'node:crypto';
import { InvocationContext, logHandlerFor } from '../azure-functions/invocation-context.ts';
import type { EntityContext as PerdureEntityContext, EntityHandler as PerdureEntityHandler } from '../runtime/entity.ts';
import { EntityId, type DurableEntityContext, type EntityContext, type EntityHandler } from './entity.ts';

class DurableEntityContextImpl<T> implements DurableEntityContext<T> {
  readonly isNewlyConstructed: boolean;
  destruct = false;
  constructor(readonly native: PerdureEntityContext<T>) {
    this.isNewlyConstructed = native.getState() === undefined;
  }
  get entityName(): string {
    return this.native.name;
  }
  get entityKey(): string {
    return this.native.key;
  }
  get entityId(): EntityId {
    return new EntityId(this.native.name, this.native.key);
  }
  get operationName(): string | undefined {
    return this.native.operationName;
  }
  getState(initializer?: () => T): T | undefined {
    return this.native.getState(initializer);
  }
  setState(state: T): void {
    this.native.setState(state);
  }
  getInput<TInput = T>(): TInput | undefined {
    return this.native.getInput<TInput>();
  }
  return<TResult = T>(result: TResult): void {
    this.native.return(result);
  }
  destructOnExit(): void {
    this.destruct = true;
  }
  signalEntity(entity: EntityId, operationName: string, operationInput?: unknown): void {
    this.native.signalEntity({ name: entity?.name, key: entity?.key }, operationName, operationInput);
  }
}

class DurableEntityInvocation<T> extends InvocationContext implements EntityContext<T> {
  constructor(
    readonly df: DurableEntityContextImpl<T>,
    functionName: string,
  ) {
    super({
      invocationId: randomUUID(),
      functionName,
      logHandler: logHandlerFor(df.native.log),
      options: { trigger: { type: 'entityTrigger', name: 'context' }, extraInputs: [], extraOutputs: [] },
    });
  }
}

/** The Perdure entity handler that runs a DF entity function for each operation. */
export function toPerdureEntity<T>(functionName: string, handler: EntityHandler<T>): PerdureEntityHandler<T> {
  return async (native) => {
    const df = new DurableEntityContextImpl<T>(native);
    // Typed as returning void, DF entity functions are often async: wait for them.
    await (handler(new DurableEntityInvocation(df, functionName)) as unknown);
    if (df.destruct) native.deleteState();
  };
}
