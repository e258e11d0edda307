/**
 * @module azure-functions/trigger
 * `trigger.*` of `@azure/functions` v4: builders of trigger objects. Only
 * HTTP and timer triggers (and the durable triggers) can be served; the
 * others build their object and are refused when a function registers them.
 */
import { binding } from './binding-names.ts';
import type { HttpTrigger, HttpTriggerOptions } from './http-types.ts';
import type { TimerTrigger, TimerTriggerOptions } from './timer-types.ts';
import type { FunctionTrigger, GenericTriggerOptions } from './types.ts';

export function http(options: HttpTriggerOptions): HttpTrigger {
  return binding(
    { ...options, type: 'httpTrigger', authLevel: options.authLevel ?? 'anonymous', methods: options.methods ?? ['GET', 'POST'] },
    'Trigger',
  );
}

export function timer(options: TimerTriggerOptions): TimerTrigger {
  return binding({ ...options, type: 'timerTrigger' }, 'Trigger');
}

export function generic(options: GenericTriggerOptions): FunctionTrigger {
  return binding(options, 'Trigger');
}

const other = (type: string) => (options: Record<string, unknown>) => binding({ ...options, type }, 'Trigger');

export const storageBlob = other('blobTrigger');
export const storageQueue = other('queueTrigger');
export const serviceBusQueue = other('serviceBusTrigger');
export const serviceBusTopic = other('serviceBusTrigger');
export const eventHub = other('eventHubTrigger');
export const eventGrid = other('eventGridTrigger');
export const cosmosDB = other('cosmosDBTrigger');
export const warmup = other('warmupTrigger');
export const sql = other('sqlTrigger');
export const mySql = other('mysqlTrigger');
export const webPubSub = other('webPubSubTrigger');
export const mcpTool = other('mcpToolTrigger');
export const mcpResource = other('mcpResourceTrigger');
export const mcpPrompt = other('mcpPromptTrigger');
export const connectorTrigger = other('connectorTrigger');
