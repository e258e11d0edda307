/**
 * @module azure-functions/client-binding
 * The value Perdure, as the host, gives a function for its durable client
 * input (`type: 'durableClient'`): the same JSON the Durable Functions
 * extension gives (task hub, creation and management URL templates), so the
 * real `durable-functions` package's `getClient` could use it, plus,
 * hidden, the in-process client that Perdure's `durable-functions` uses
 * without any HTTP round trip.
 *
 * What must hold:
 * - The hidden client is found through a registry symbol, so a second copy
 *   of these modules (CommonJS and ES module loaders) still finds it.
 */
import type { DurableClient as PerdureClient } from '../client/client.ts';
import type { InvocationContext } from './invocation-context.ts';
import type { FunctionInput } from './types.ts';

export const TASK_HUB_NAME = 'Perdure';
const INSTANCE_ID_PLACEHOLDER = 'INSTANCEID';
const IN_PROCESS = Symbol.for('perdure.durableClientBinding');

export interface InProcessClient {
  readonly client: PerdureClient;
  /** Origin of check-status URLs: the request's for HTTP triggers, the server's otherwise. */
  readonly origin: string;
}

export interface DurableClientBindingData {
  readonly taskHubName: string;
  readonly creationUrls: { readonly createNewInstancePostUri: string; readonly createAndWaitOnNewInstancePostUri: string };
  readonly managementUrls: Readonly<Record<string, string>> & { readonly id: string };
  readonly baseUrl: string;
  readonly requiredQueryStringParameters: string;
}

export function isDurableClientInputType(type: unknown): boolean {
  return type === 'durableClient' || type === 'orchestrationClient';
}

export function durableClientBinding(client: PerdureClient, origin: string): DurableClientBindingData {
  const payload = client.createHttpManagementPayload(INSTANCE_ID_PLACEHOLDER, origin);
  const baseUrl = payload.statusQueryGetUri.slice(0, payload.statusQueryGetUri.indexOf('/instances/'));
  const code = new URL(payload.statusQueryGetUri).searchParams.get('code');
  const required = code === null ? '' : `code=${encodeURIComponent(code)}`;
  const query = required ? `?${required}` : '';
  const data: DurableClientBindingData = {
    taskHubName: TASK_HUB_NAME,
    creationUrls: {
      createNewInstancePostUri: `${baseUrl}/orchestrators/{functionName}[/{instanceId}]${query}`,
      createAndWaitOnNewInstancePostUri: `${baseUrl}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}${required ? `&${required}` : ''}`,
    },
    managementUrls: { ...payload, id: INSTANCE_ID_PLACEHOLDER },
    baseUrl,
    requiredQueryStringParameters: required,
  };
  const inProcess: InProcessClient = { client, origin };
  Object.defineProperty(data, IN_PROCESS, { value: inProcess, enumerable: false });
  return data;
}

export function inProcessClientOf(value: unknown): InProcessClient | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  return (value as { [IN_PROCESS]?: InProcessClient })[IN_PROCESS];
}

/** Fills the durable client inputs of an invocation, as the Durable Functions extension does on Azure. */
export function provideDurableClient(
  context: InvocationContext,
  inputs: readonly FunctionInput[],
  client: PerdureClient,
  origin: string,
): void {
  for (const input of inputs)
    if (isDurableClientInputType(input.type)) context.extraInputs.set(input, durableClientBinding(client, origin));
}
