/**
 * @module entity
 * What users register as an entity, and what its code sees. An entity is a
 * small piece of keyed durable state that exactly one writer owns: its
 * operations run one at a time, each with its own rollback, and each
 * operation's state change, signals and starts commit together.
 *
 * Two forms: a handler that switches on `ctx.operationName`, or an object
 * with one method per operation (typed: names, inputs and results are
 * inferred for callers, as activities' are).
 */
import type { EntityId, TypedEntityId } from '../model/entity-id.ts';
import { PerdureError } from '../model/errors.ts';
import type { OrchestrationRef } from '../orchestration/context.ts';
import type { Logger } from './logger.ts';

export interface EntitySignalOptions {
  /** Deliver the operation at this time instead of now. */
  readonly at?: Date;
}

export interface EntityStartOptions<I> {
  readonly instanceId?: string;
  readonly input?: I;
}

export interface EntityContext<S = unknown> {
  readonly entityId: EntityId;
  readonly name: string;
  readonly key: string;
  readonly operationName: string;
  readonly log: Logger;
  getInput<T = unknown>(): T;
  /**
   * The state, or (when the entity has none) the initializer's value, which
   * then becomes the state, so that changes to it in place are kept.
   */
  getState<T = S>(initializer?: () => NoInfer<T>): T | undefined;
  setState(value: S): void;
  /** The entity no longer exists once this operation commits (until it is given state again). */
  deleteState(): void;
  /** The operation's result (takes precedence over the handler's return value). */
  return(value: unknown): void;
  /** Signals another entity (or this one) when this operation commits. */
  signalEntity(id: EntityId, operationName: string, input?: unknown, options?: EntitySignalOptions): void;
  /** Starts an orchestration when this operation commits; returns its instance ID. */
  startNew<I>(orchestration: OrchestrationRef<I, unknown>, options?: EntityStartOptions<I>): string;
}

export type EntityHandler<S = unknown> = (ctx: EntityContext<S>) => unknown;

/** One method per operation: `(input, ctx) => result`. */
// Operations take inputs of any type; callers see each one's own types through TypedEntityId.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type EntityOperations<S = any> = Record<string, (input: any, ctx: EntityContext<S>) => unknown>;

export interface EntityDefinition<Ops = Record<string, (input?: unknown) => unknown>> {
  readonly kind: 'entity';
  /** The registered name, lower-cased as in entity IDs. */
  readonly name: string;
  readonly handler: EntityHandler;
  /** The ID of this entity for `key`, typed with its operations. */
  id(key: string): TypedEntityId<Ops>;
  readonly __ops?: Ops;
}

/** The handler of the object form: the method named by the operation; an unknown operation throws. */
export function operationsHandler(name: string, operations: EntityOperations): EntityHandler {
  return (ctx) => {
    const operation = Object.hasOwn(operations, ctx.operationName) ? operations[ctx.operationName] : undefined;
    if (typeof operation !== 'function') throw new UnknownEntityOperationError(name, ctx.operationName);
    return operation.call(operations, ctx.getInput(), ctx);
  };
}

export class UnknownEntityOperationError extends PerdureError {
  override name = 'UnknownEntityOperationError';
  constructor(entity: string, operation: string) {
    super(`Entity '${entity}' has no operation '${operation}'`);
  }
}
