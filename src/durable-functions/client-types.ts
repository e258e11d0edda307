/**
 * @module durable-functions/client-types
 * The option and handler types of `df.app.client.*`.
 */
import type { HttpFunctionOptions, HttpResponseInit } from '../azure-functions/http-types.ts';
import type { HttpRequest } from '../azure-functions/http-request.ts';
import type { HttpResponse } from '../azure-functions/http-response.ts';
import type { InvocationContext } from '../azure-functions/invocation-context.ts';
import type { Timer, TimerFunctionOptions } from '../azure-functions/timer-types.ts';
import type { FunctionOptions, FunctionResult, UnsupportedFunctionOptions } from '../azure-functions/types.ts';
import type { DurableClient } from './durable-client.ts';

// Durable Functions' signature: the trigger's payload is whatever its binding delivers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type DurableClientHandler = (triggerInput: any, durableClient: DurableClient, context: InvocationContext) => FunctionResult<any>;

export interface DurableClientOptions extends Omit<FunctionOptions, 'handler'> {
  handler: DurableClientHandler;
}

export type HttpDurableClientHandler = (
  request: HttpRequest,
  client: DurableClient,
  context: InvocationContext,
) => FunctionResult<HttpResponseInit | HttpResponse>;

export interface HttpDurableClientOptions extends Omit<HttpFunctionOptions, 'handler'> {
  handler: HttpDurableClientHandler;
}

export type TimerDurableClientHandler = (myTimer: Timer, client: DurableClient, context: InvocationContext) => FunctionResult;

export interface TimerDurableClientOptions extends Omit<TimerFunctionOptions, 'handler'> {
  handler: TimerDurableClientHandler;
}

/** The options of a durable client function on a trigger Perdure does not run: registering one throws. */
export type UnsupportedDurableClientOptions = UnsupportedFunctionOptions;
