/**
 * @module durable-functions/app-client
 * `df.app.client.*`: functions that receive a durable client as their
 * second argument. HTTP, timer and generic (HTTP or timer) triggers run;
 * the other trigger kinds throw UnsupportedFeatureError.
 */
import * as azure from '../azure-functions/app.ts';
import type { InvocationContext } from '../azure-functions/invocation-context.ts';
import type { FunctionInput } from '../azure-functions/types.ts';
import { unsupportedTrigger } from '../azure-functions/unsupported.ts';
import type {
  DurableClientOptions,
  HttpDurableClientOptions,
  TimerDurableClientOptions,
  UnsupportedDurableClientOptions,
} from './client-types.ts';
import { getClient } from './get-client.ts';
import { durableClient } from './input.ts';

function withClientInput(extraInputs: FunctionInput[] | undefined): FunctionInput[] {
  return [...(extraInputs ?? []), durableClient()];
}

export function http(functionName: string, options: HttpDurableClientOptions): void {
  const { handler } = options;
  azure.http(functionName, {
    ...options,
    extraInputs: withClientInput(options.extraInputs),
    handler: (request, context) => handler(request, getClient(context), context),
  });
}

export function timer(functionName: string, options: TimerDurableClientOptions): void {
  const { handler } = options;
  azure.timer(functionName, {
    ...options,
    extraInputs: withClientInput(options.extraInputs),
    handler: (myTimer, context) => handler(myTimer, getClient(context), context),
  });
}

export function generic(functionName: string, options: DurableClientOptions): void {
  const { handler } = options;
  azure.generic(functionName, {
    ...options,
    extraInputs: withClientInput(options.extraInputs),
    handler: (input: unknown, context: InvocationContext): unknown => handler(input, getClient(context), context) as unknown,
  });
}

const unsupported =
  (kind: string, call: string) =>
  (functionName: string, options: UnsupportedDurableClientOptions): void =>
    unsupportedTrigger(kind, `df.app.client.${call}`, functionName, options);

export const storageBlob = unsupported('storage blob', 'storageBlob');
export const storageQueue = unsupported('storage queue', 'storageQueue');
export const serviceBusQueue = unsupported('Service Bus queue', 'serviceBusQueue');
export const serviceBusTopic = unsupported('Service Bus topic', 'serviceBusTopic');
export const eventHub = unsupported('Event Hubs', 'eventHub');
export const eventGrid = unsupported('Event Grid', 'eventGrid');
export const cosmosDB = unsupported('Cosmos DB', 'cosmosDB');
