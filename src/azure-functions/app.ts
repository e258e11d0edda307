/**
 * @module azure-functions/app
 * `app.*` of `@azure/functions` v4: HTTP functions become HTTP triggers of
 * Perdure's default function app, timers go to the timer registry, and the
 * other trigger kinds are refused with UnsupportedFeatureError.
 *
 * What must hold:
 * - An HTTP handler gets an HttpRequest with the route's params and an
 *   InvocationContext whose durable client input is filled; what it returns
 *   (HttpResponse, HttpResponseInit, nothing) becomes the HTTP answer.
 * - Every mistake in a registration (bad name, route, schedule, an
 *   unsupported binding) throws when the app registers it.
 */
import { randomUUID } from 'node:crypto';
import { ValidationError } from '../model/errors.ts';
import { app as functionApp, type HttpMethod as PerdureHttpMethod } from '../runtime/app.ts';
import { checkBindings } from './bindings-check.ts';
import { provideDurableClient } from './client-binding.ts';
import { fromFetchRequest } from './http-request.ts';
import { toFetchResponse } from './http-response.ts';
import type { HttpFunctionOptions, HttpHandler, HttpMethod, HttpMethodFunctionOptions, HttpTrigger } from './http-types.ts';
import { InvocationContext, logHandlerFor } from './invocation-context.ts';
import { registerTimer } from './registry.ts';
import { parseSchedule } from './schedule.ts';
import type { TimerFunctionOptions, TimerTrigger } from './timer-types.ts';
import * as trigger from './trigger.ts';
import type { GenericFunctionOptions, SetupOptions, UnsupportedFunctionOptions } from './types.ts';
import { unsupportedTrigger } from './unsupported.ts';

export { hook } from './hooks.ts';

const SERVED_METHODS = new Set<string>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** Accepted for compatibility; HTTP streaming is how Perdure always reads bodies, so there is nothing to switch on. */
export function setup(options: SetupOptions): void {
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw new TypeError('app.setup: options must be an object');
}

export function http(name: string, options: HttpFunctionOptions): void {
  if (typeof options?.handler !== 'function') throw new ValidationError(`http function '${name}'`, 'the handler must be a function');
  const httpTrigger: HttpTrigger = options.trigger ?? trigger.http(options);
  const methods = (options.methods ?? httpTrigger.methods ?? ['GET', 'POST']).map((m) => String(m).toUpperCase());
  const refused = methods.find((m) => !SERVED_METHODS.has(m));
  if (refused)
    throw new ValidationError(`methods of http function '${name}'`, `'${refused}' is not served (use ${[...SERVED_METHODS].join(', ')})`);
  const authLevel = options.authLevel ?? httpTrigger.authLevel ?? 'anonymous';
  if (!['anonymous', 'function', 'admin'].includes(authLevel)) {
    throw new ValidationError(`authLevel of http function '${name}'`, `must be 'anonymous', 'function' or 'admin'`);
  }
  checkBindings(name, options.extraInputs, options.extraOutputs, ['http']);
  const extraInputs = options.extraInputs ?? [];
  const handler = options.handler;
  const effective = {
    trigger: httpTrigger,
    extraInputs,
    extraOutputs: options.extraOutputs ?? [],
    ...(options.return ? { return: options.return } : {}),
  };
  functionApp.http(name, {
    methods: methods as PerdureHttpMethod[],
    route: options.route ?? httpTrigger.route ?? name,
    authLevel,
    handler: async (request, context) => {
      const invocation = new InvocationContext({
        invocationId: randomUUID(),
        functionName: name,
        logHandler: logHandlerFor(context.log),
        options: effective,
      });
      provideDurableClient(invocation, extraInputs, context.client, new URL(request.url).origin);
      return toFetchResponse(await handler(fromFetchRequest(request, context.params), invocation));
    },
  });
}

function withMethod(method: HttpMethod, name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void {
  const options = typeof optionsOrHandler === 'function' ? { handler: optionsOrHandler } : optionsOrHandler;
  http(name, { ...options, methods: [method] });
}

export function get(name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void {
  withMethod('GET', name, optionsOrHandler);
}
export function put(name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void {
  withMethod('PUT', name, optionsOrHandler);
}
export function post(name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void {
  withMethod('POST', name, optionsOrHandler);
}
export function patch(name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void {
  withMethod('PATCH', name, optionsOrHandler);
}
export function deleteRequest(name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void {
  withMethod('DELETE', name, optionsOrHandler);
}

/** A timer function: run in-process on every host that serves the app (see the migration guide). */
export function timer(name: string, options: TimerFunctionOptions): void {
  if (typeof options?.handler !== 'function') throw new ValidationError(`timer function '${name}'`, 'the handler must be a function');
  const timerTrigger: TimerTrigger = options.trigger ?? trigger.timer(options);
  checkBindings(name, options.extraInputs, options.extraOutputs, []);
  registerTimer({
    name,
    schedule: parseSchedule(options.schedule ?? timerTrigger.schedule, name),
    runOnStartup: Boolean(options.runOnStartup ?? timerTrigger.runOnStartup),
    options,
    extraInputs: options.extraInputs ?? [],
  });
}

/** HTTP and timer triggers only; any other trigger type is refused. */
export function generic(name: string, options: GenericFunctionOptions): void {
  const type = options?.trigger?.type;
  if (type === 'httpTrigger')
    return http(name, { ...(options.trigger as unknown as HttpTrigger), ...options, trigger: options.trigger as HttpTrigger });
  if (type === 'timerTrigger')
    return timer(name, { ...(options.trigger as unknown as TimerTrigger), ...options, trigger: options.trigger as TimerTrigger });
  return unsupportedTrigger(`'${String(type)}'`, 'app.generic', name);
}

const unsupported =
  (kind: string, call: string) =>
  (name: string, options: UnsupportedFunctionOptions): void =>
    unsupportedTrigger(kind, `app.${call}`, name, options);

export const storageBlob = unsupported('storage blob', 'storageBlob');
export const storageQueue = unsupported('storage queue', 'storageQueue');
export const serviceBusQueue = unsupported('Service Bus queue', 'serviceBusQueue');
export const serviceBusTopic = unsupported('Service Bus topic', 'serviceBusTopic');
export const eventHub = unsupported('Event Hubs', 'eventHub');
export const eventGrid = unsupported('Event Grid', 'eventGrid');
export const cosmosDB = unsupported('Cosmos DB', 'cosmosDB');
export const connectorTrigger = unsupported('connector', 'connectorTrigger');
export const warmup = unsupported('warmup', 'warmup');
export const sql = unsupported('SQL', 'sql');
export const mySql = unsupported('MySQL', 'mySql');
export const webPubSub = unsupported('Web PubSub', 'webPubSub');
export const mcpTool = unsupported('MCP tool', 'mcpTool');
export const mcpResource = unsupported('MCP resource', 'mcpResource');
export const mcpPrompt = unsupported('MCP prompt', 'mcpPrompt');
