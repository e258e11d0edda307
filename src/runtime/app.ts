/**
 * @module app
 * The function app: where users register orchestrations, activities and
 * HTTP triggers, as with Azure Functions' `app`. Registration returns typed
 * handles, so `ctx.callActivity(sayHello, 'Tokyo')` knows its input and
 * result types. Names are unique per kind.
 */
import { ValidationError } from '../model/errors.ts';
import { validateFunctionName, validateInstanceId } from '../model/instance-id.ts';
import type { OrchestrationContext } from '../orchestration/context.ts';
import type { DurableClient } from '../client/client.ts';
import type { ScheduleOptions } from '../client/schedule-spec.ts';
import type { Logger } from './logger.ts';
import { validateEntityKey, validateEntityName, type TypedEntityId } from '../model/entity-id.ts';
import { operationsHandler, type EntityDefinition, type EntityHandler, type EntityOperations } from './entity.ts';

export interface ActivityContext {
  readonly name: string;
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskId: number;
  /**
   * Delivery attempt, starting at 1. Activities run at least once: a value
   * above 1 means an earlier delivery may have run. Use
   * `${instanceId}:${executionId}:${taskId}` as an idempotency key for external writes.
   */
  readonly attempt: number;
  /**
   * The fencing token of this delivery's lease on the task: 1 on the first
   * delivery, higher on every redelivery (after the lease expired, or a
   * host handed the task back at shutdown: each claim raises it). Only the
   * delivery holding the current token can report a result; the others'
   * results are dropped. Pass it with external writes and have the other
   * side refuse a token lower than the highest it has seen for the same
   * idempotency key, so a stale delivery (on a host that stalled past its
   * lease) cannot overwrite what a newer one wrote.
   *
   * Equal tokens are not proof of a single run: with turn chaining an
   * activity can run before its turn commits, as delivery 1 (attempt 1,
   * token 1), and if that turn is lost (the host crashed or lost the
   * instance's lease) the turn that replaces it schedules the task again,
   * whose first delivery is again attempt 1, token 1. So the idempotency
   * key is still needed; the token orders deliveries, it does not count runs.
   *
   * @example
   * app.activity('Charge', async (order: Order, ctx) => {
   *   const key = `${ctx.instanceId}:${ctx.executionId}:${ctx.taskId}`;
   *   // e.g. UPDATE payments SET ..., fence = $2 WHERE key = $1 AND fence <= $2
   *   return payments.charge(order, { idempotencyKey: key, fence: ctx.leaseToken });
   * });
   */
  readonly leaseToken: number;
  /**
   * Aborted when the activity must stop: its timeout passed
   * (`reason` is an ActivityTimeoutError), it missed its heartbeat, its
   * instance was terminated, suspended or ended, its lease was lost, or the
   * host shuts down. Whatever it returns after that is discarded.
   */
  readonly signal: AbortSignal;
  /**
   * Tells the engine the activity is alive (it must call it at least every
   * `heartbeatTimeoutMs` if the call set one) and, with `details` (JSON),
   * records its progress: a retry attempt, or a delivery after a crash,
   * starts with them as `lastHeartbeatDetails`. Cheap to call often: writes
   * are batched with the lease renewals, and made sooner only to keep the
   * stored heartbeat deadline ahead.
   *
   * @example
   * app.activity('Import', async (file: string, ctx) => {
   *   let row = (ctx.lastHeartbeatDetails as number | undefined) ?? 0;
   *   for (; row < total; row++) { await importRow(file, row); ctx.heartbeat(row + 1); }
   * });
   */
  heartbeat(details?: unknown): void;
  /** The details of the last heartbeat stored for this task or the attempt it retries; undefined if none. */
  readonly lastHeartbeatDetails: unknown;
  readonly log: Logger;
}

export interface ActivityDefinition<I, O> {
  readonly kind: 'activity';
  readonly name: string;
  readonly handler: (input: I, context: ActivityContext) => O | Promise<O>;
  readonly __types?: (input: I) => O;
}

// `any` is what a plain `const x = yield task` evaluates to: TypeScript gives every yield of a generator the same
// type, so anything stricter would force a cast at each yield. `yield* task` is typed per task and needs none.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type OrchestratorHandler<I, O> = (ctx: OrchestrationContext<I>) => Generator<unknown, O, any>;

export interface OrchestrationDefinition<I, O> {
  readonly kind: 'orchestration';
  readonly name: string;
  readonly handler: OrchestratorHandler<I, O>;
  readonly __types?: (input: I) => O;
}

/** The names of an app's functions that do durable work, by kind (entity names lower-cased). */
export interface RunnableNames {
  readonly orchestrations: readonly string[];
  readonly activities: readonly string[];
  readonly entities: readonly string[];
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
/** As in Azure Functions: `function` needs a function key or the master key, `admin` the master key. */
export type AuthLevel = 'anonymous' | 'function' | 'admin';
const AUTH_LEVELS: readonly AuthLevel[] = ['anonymous', 'function', 'admin'];

export interface HttpTriggerContext {
  readonly functionName: string;
  /** Route parameters, e.g. `{ functionName, instanceId }` for `orchestrators/{functionName}/{instanceId}`. */
  readonly params: Readonly<Record<string, string>>;
  readonly client: DurableClient;
  readonly log: Logger;
}

/** Returns (or resolves to) a Response, which passes through; undefined (204); a string (text); anything else (JSON). */
export type HttpHandler = (request: Request, context: HttpTriggerContext) => unknown;

export interface HttpTriggerOptions {
  readonly methods?: readonly HttpMethod[];
  /** Relative to `/api/`; `{name}` segments become params. Defaults to the function name. */
  readonly route?: string;
  readonly authLevel?: AuthLevel;
  readonly handler: HttpHandler;
}

export interface HttpTriggerDefinition {
  readonly kind: 'http';
  readonly name: string;
  readonly methods: readonly HttpMethod[];
  readonly route: string;
  readonly authLevel: AuthLevel;
  readonly handler: HttpHandler;
}

// The registry holds functions of every input and output type; callers get the typed definition back from
// activity()/orchestration(), and inside the registry those types are erased (payloads are JSON).
/* eslint-disable @typescript-eslint/no-explicit-any -- see above */
export type FunctionDefinition =
  ActivityDefinition<any, any> | OrchestrationDefinition<any, any> | HttpTriggerDefinition | EntityDefinition<any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

export class FunctionApp {
  // Heterogeneous registries, as FunctionDefinition above.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  readonly #activities = new Map<string, ActivityDefinition<any, any>>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  readonly #orchestrations = new Map<string, OrchestrationDefinition<any, any>>();
  readonly #httpTriggers = new Map<string, HttpTriggerDefinition>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  readonly #entities = new Map<string, EntityDefinition<any>>();

  /**
   * Registers an entity: a handler that switches on `ctx.operationName`, or
   * an object with one method per operation (typed for callers). Names are
   * case-insensitive, as in entity IDs.
   *
   * @example
   * const counter = app.entity('counter', {
   *   add: (amount: number, ctx: EntityContext<number>) => ctx.setState((ctx.getState(() => 0) ?? 0) + amount),
   *   get: (_: void, ctx: EntityContext<number>) => ctx.getState(() => 0) ?? 0,
   * });
   * await client.signalEntity(counter.id('a'), 'add', 5);
   */
  entity<S = unknown>(name: string, handler: EntityHandler<S>): EntityDefinition;
  entity<Ops extends EntityOperations>(name: string, operations: Ops): EntityDefinition<Ops>;
  entity(name: string, handlerOrOperations: EntityHandler | EntityOperations): EntityDefinition<unknown> {
    const entityName = validateEntityName(name, 'entity name');
    let handler: EntityHandler;
    if (typeof handlerOrOperations === 'function') handler = handlerOrOperations;
    else if (typeof handlerOrOperations === 'object' && handlerOrOperations !== null)
      handler = operationsHandler(entityName, handlerOrOperations);
    else throw new ValidationError(`entity '${name}'`, 'the handler must be a function or an object of operations');
    const definition: EntityDefinition<unknown> = {
      kind: 'entity',
      name: entityName,
      handler,
      id: (key: string): TypedEntityId<unknown> => ({ name: entityName, key: validateEntityKey(key) }),
    };
    register(this.#entities, definition);
    return definition;
  }
  readonly #schedules = new Map<string, ScheduleOptions>();

  activity<I, O>(name: string, handler: (input: I, context: ActivityContext) => O | Promise<O>): ActivityDefinition<I, Awaited<O>> {
    assertFunction(handler, `activity '${name}'`);
    const definition: ActivityDefinition<I, Awaited<O>> = {
      kind: 'activity',
      name: validateFunctionName(name, 'activity name'),
      handler: handler as never,
    };
    register(this.#activities, definition);
    return definition;
  }

  orchestration<I = unknown, O = unknown>(name: string, handler: OrchestratorHandler<I, O>): OrchestrationDefinition<I, O> {
    assertFunction(handler, `orchestration '${name}'`);
    const kind = handler.constructor?.name;
    if (kind !== 'GeneratorFunction') {
      throw new ValidationError(
        `orchestration '${name}'`,
        `the handler must be a generator function (function*), got ${kind ?? typeof handler}`,
      );
    }
    const definition: OrchestrationDefinition<I, O> = {
      kind: 'orchestration',
      name: validateFunctionName(name, 'orchestration name'),
      handler,
    };
    register(this.#orchestrations, definition);
    return definition;
  }

  http(name: string, options: HttpTriggerOptions): HttpTriggerDefinition {
    assertFunction(options?.handler, `http trigger '${name}'`);
    const route = (options.route ?? name).replace(/^\/+/, '');
    const methods = options.methods ?? ['GET', 'POST'];
    if (methods.length === 0) throw new ValidationError(`http trigger '${name}'`, 'methods must not be empty');
    const authLevel = options.authLevel ?? 'anonymous';
    if (!AUTH_LEVELS.includes(authLevel)) {
      throw new ValidationError(`http trigger '${name}'`, `authLevel must be 'anonymous', 'function' or 'admin'`);
    }
    const definition: HttpTriggerDefinition = {
      kind: 'http',
      name: validateFunctionName(name, 'http trigger name'),
      methods,
      route,
      authLevel,
      handler: options.handler,
    };
    register(this.#httpTriggers, definition);
    return definition;
  }

  /**
   * Declares a schedule: every host that serves the app creates it in the
   * store if it is absent (and updates its definition if it changed), and
   * fires it. Each fire starts `orchestration` as `{name}@{ISO fire time}`.
   * The name is checked here; the options when a host starts (createHost
   * throws a ValidationError naming the field).
   * @example
   * app.schedule('nightly-report', { cron: '0 3 * * *', timeZone: 'Europe/Berlin', orchestration: report, overlap: 'skip' });
   */
  schedule(name: string, options: ScheduleOptions): void {
    const checked = validateInstanceId(name, 'schedule name');
    if (checked.includes('@')) throw new ValidationError('schedule name', "must not contain '@'");
    if (typeof options !== 'object' || options === null) throw new ValidationError(`schedule '${checked}'`, 'options must be an object');
    if (this.#schedules.has(checked)) throw new ValidationError('name', `a schedule named '${checked}' is already declared`);
    this.#schedules.set(checked, options);
  }

  /** The declared schedules, by name. */
  get schedules(): ReadonlyMap<string, ScheduleOptions> {
    return this.#schedules;
  }

  getActivity(name: string): ActivityDefinition<unknown, unknown> | undefined {
    return this.#activities.get(name);
  }
  getOrchestration(name: string): OrchestrationDefinition<unknown, unknown> | undefined {
    return this.#orchestrations.get(name);
  }
  getEntity(name: string): EntityDefinition<unknown> | undefined {
    return this.#entities.get(name.toLowerCase());
  }
  /**
   * The names of the registered orchestrations, activities and entities: a
   * host claims only work of these (rolling deploys). Kept until the next
   * registration, so a claim does not build it again.
   */
  get runnableNames(): RunnableNames {
    const count = this.#orchestrations.size + this.#activities.size + this.#entities.size;
    if (this.#runnable?.count !== count) {
      const names = {
        orchestrations: [...this.#orchestrations.keys()],
        activities: [...this.#activities.keys()],
        entities: [...this.#entities.keys()],
      };
      this.#runnable = { count, names };
    }
    return this.#runnable.names;
  }
  #runnable: { readonly count: number; readonly names: RunnableNames } | undefined;
  get httpTriggers(): readonly HttpTriggerDefinition[] {
    return [...this.#httpTriggers.values()];
  }
  get functions(): readonly FunctionDefinition[] {
    return [...this.#orchestrations.values(), ...this.#activities.values(), ...this.#httpTriggers.values(), ...this.#entities.values()];
  }
}

function register<D extends { name: string; kind: string }>(map: Map<string, D>, definition: D): void {
  if (map.has(definition.name)) {
    throw new ValidationError('name', `an ${definition.kind} function named '${definition.name}' is already registered`);
  }
  map.set(definition.name, definition);
}

function assertFunction(handler: unknown, what: string): void {
  if (typeof handler !== 'function') throw new ValidationError(what, 'the handler must be a function');
}

/** Creates an empty function app. */
export function createApp(): FunctionApp {
  return new FunctionApp();
}

/** The default app, for the Azure Functions style of registering at module load. */
export const app: FunctionApp = createApp();
