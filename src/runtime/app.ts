/**
 * @module app
 * The function app: where users register orchestrations, activities and
 * HTTP triggers, as with Azure Functions' `app`. Registration returns typed
 * handles, so `ctx.callActivity(sayHello, 'Tokyo')` knows its input and
 * result types. Names are unique per kind.
 */
import { ValidationError } from '../model/errors.ts';
import { validateFunctionName } from '../model/instance-id.ts';
import type { OrchestrationContext } from '../orchestration/context.ts';
import type { DurableClient } from './client.ts';
import type { Logger } from './logger.ts';

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
  /** Aborted when the host shuts down while the activity runs. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export interface ActivityDefinition<I, O> {
  readonly kind: 'activity';
  readonly name: string;
  readonly handler: (input: I, context: ActivityContext) => O | Promise<O>;
  readonly __types?: (input: I) => O;
}

export type OrchestratorHandler<I, O> = (ctx: OrchestrationContext<I>) => Generator<unknown, O, any>;

export interface OrchestrationDefinition<I, O> {
  readonly kind: 'orchestration';
  readonly name: string;
  readonly handler: OrchestratorHandler<I, O>;
  readonly __types?: (input: I) => O;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export type AuthLevel = 'anonymous' | 'function';

export interface HttpTriggerContext {
  readonly functionName: string;
  /** Route parameters, e.g. `{ functionName, instanceId }` for `orchestrators/{functionName}/{instanceId}`. */
  readonly params: Readonly<Record<string, string>>;
  readonly client: DurableClient;
  readonly log: Logger;
}

export type HttpHandler = (request: Request, context: HttpTriggerContext) => unknown | Promise<unknown>;

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

export type FunctionDefinition = ActivityDefinition<any, any> | OrchestrationDefinition<any, any> | HttpTriggerDefinition;

export class FunctionApp {
  readonly #activities = new Map<string, ActivityDefinition<any, any>>();
  readonly #orchestrations = new Map<string, OrchestrationDefinition<any, any>>();
  readonly #httpTriggers = new Map<string, HttpTriggerDefinition>();

  activity<I, O>(name: string, handler: (input: I, context: ActivityContext) => O | Promise<O>): ActivityDefinition<I, Awaited<O>> {
    assertFunction(handler, `activity '${name}'`);
    const definition: ActivityDefinition<I, Awaited<O>> = { kind: 'activity', name: validateFunctionName(name, 'activity name'), handler: handler as never };
    return register(this.#activities, definition);
  }

  orchestration<I = unknown, O = unknown>(name: string, handler: OrchestratorHandler<I, O>): OrchestrationDefinition<I, O> {
    assertFunction(handler, `orchestration '${name}'`);
    const kind = handler.constructor?.name;
    if (kind !== 'GeneratorFunction') {
      throw new ValidationError(`orchestration '${name}'`, `the handler must be a generator function (function*), got ${kind ?? typeof handler}`);
    }
    return register(this.#orchestrations, { kind: 'orchestration', name: validateFunctionName(name, 'orchestration name'), handler });
  }

  http(name: string, options: HttpTriggerOptions): HttpTriggerDefinition {
    assertFunction(options?.handler, `http trigger '${name}'`);
    const route = (options.route ?? name).replace(/^\/+/, '');
    const methods = options.methods ?? ['GET', 'POST'];
    if (methods.length === 0) throw new ValidationError(`http trigger '${name}'`, 'methods must not be empty');
    const authLevel = options.authLevel ?? 'anonymous';
    if (authLevel !== 'anonymous' && authLevel !== 'function') {
      throw new ValidationError(`http trigger '${name}'`, `authLevel must be 'anonymous' or 'function'`);
    }
    const definition: HttpTriggerDefinition = { kind: 'http', name: validateFunctionName(name, 'http trigger name'), methods, route, authLevel, handler: options.handler };
    return register(this.#httpTriggers, definition);
  }

  getActivity(name: string): ActivityDefinition<unknown, unknown> | undefined {
    return this.#activities.get(name);
  }
  getOrchestration(name: string): OrchestrationDefinition<unknown, unknown> | undefined {
    return this.#orchestrations.get(name);
  }
  get httpTriggers(): readonly HttpTriggerDefinition[] {
    return [...this.#httpTriggers.values()];
  }
  get functions(): readonly FunctionDefinition[] {
    return [...this.#orchestrations.values(), ...this.#activities.values(), ...this.#httpTriggers.values()];
  }
}

function register<D extends { name: string; kind: string }>(map: Map<string, D>, definition: D): D {
  if (map.has(definition.name)) {
    throw new ValidationError('name', `an ${definition.kind} function named '${definition.name}' is already registered`);
  }
  map.set(definition.name, definition);
  return definition;
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
