/**
 * @module perdure/azure-functions
 * The HTTP and timer part of `@azure/functions` v4, served by Perdure:
 * `app.http` (and `app.get`, `app.post`, ...), `app.timer`, `HttpRequest`,
 * `HttpResponse`, `InvocationContext`, and the `trigger`, `input` and
 * `output` builders. `perdure start <dir>` resolves an app's
 * `require('@azure/functions')` and `import ... from '@azure/functions'` here.
 *
 * Other triggers and bindings (queues, blobs, Cosmos DB, ...) and hooks
 * throw UnsupportedFeatureError naming the feature when registered.
 *
 * @example
 * const { app } = require('@azure/functions');
 * app.http('hello', { methods: ['GET'], handler: async (request, context) => ({ body: `Hello, ${request.query.get('name')}` }) });
 */
import * as app from './app.ts';
import { HttpRequest } from './http-request.ts';
import { HttpResponse } from './http-response.ts';
import * as input from './input.ts';
import { InvocationContext } from './invocation-context.ts';
import * as output from './output.ts';
import * as trigger from './trigger.ts';
import { UnsupportedFeatureError } from './unsupported.ts';

export { app, HttpRequest, HttpResponse, input, InvocationContext, output, trigger, UnsupportedFeatureError };
export type {
  EffectiveFunctionOptions,
  Exception,
  InvocationContextExtraInputs,
  InvocationContextExtraOutputs,
  InvocationContextInit,
  RetryContext,
  TraceContext,
  TriggerMetadata,
} from './invocation-context.ts';
export type {
  Cookie,
  HttpFunctionOptions,
  HttpHandler,
  HttpHeadersInit,
  HttpMethod,
  HttpMethodFunctionOptions,
  HttpOutput,
  HttpOutputOptions,
  HttpRequestBodyInit,
  HttpRequestInit,
  HttpRequestParams,
  HttpRequestUser,
  HttpRequestUserType,
  HttpResponseBodyInit,
  HttpResponseInit,
  HttpTrigger,
  HttpTriggerOptions,
} from './http-types.ts';
export type { Timer, TimerFunctionOptions, TimerHandler, TimerTrigger, TimerTriggerOptions } from './timer-types.ts';
export type {
  Duration,
  ExponentialBackoffRetryOptions,
  FixedDelayRetryOptions,
  FunctionHandler,
  FunctionInput,
  FunctionOptions,
  FunctionOutput,
  FunctionResult,
  FunctionTrigger,
  GenericFunctionOptions,
  GenericInputOptions,
  GenericOutputOptions,
  GenericTriggerOptions,
  LogHandler,
  LogLevel,
  RetryOptions,
  SetupOptions,
  UnsupportedFunctionOptions,
} from './types.ts';

/** `import functions from '@azure/functions'` works with the real (CommonJS) package; this keeps it working here. */
const azureFunctions = { app, HttpRequest, HttpResponse, input, InvocationContext, output, trigger };
export default azureFunctions;
