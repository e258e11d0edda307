/**
 * @module azure-functions/types
 * The function-definition vocabulary of `@azure/functions` v4 (options,
 * triggers, bindings, results), declared so that an Azure Functions app
 * type-checks against Perdure's module as it does against the real package.
 *
 * What must hold:
 * - Every name an app can import from `@azure/functions` for HTTP and timer
 *   functions exists here with an assignable shape.
 */
import type { InvocationContext } from './invocation-context.ts';

export type FunctionResult<T = unknown> = T | Promise<T>;

// Azure's own signature: a trigger's input is whatever its binding delivers, and the handler may return anything.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type FunctionHandler = (triggerInput: any, context: InvocationContext) => FunctionResult<any>;

export interface FunctionOptions {
  handler: FunctionHandler;
  trigger: FunctionTrigger;
  return?: FunctionOutput;
  extraInputs?: FunctionInput[];
  extraOutputs?: FunctionOutput[];
}

export interface FunctionTrigger extends Record<string, unknown> {
  type: string;
  name: string;
}

export interface FunctionInput extends Record<string, unknown> {
  type: string;
  name: string;
}

export interface FunctionOutput extends Record<string, unknown> {
  type: string;
  name: string;
}

/** Azure's trigger-level retry policy. Perdure accepts it and does not apply it (see the migration guide). */
export type RetryOptions = FixedDelayRetryOptions | ExponentialBackoffRetryOptions;

export interface FixedDelayRetryOptions {
  strategy: 'fixedDelay';
  maxRetryCount: number;
  delayInterval: Duration | number;
}

export interface ExponentialBackoffRetryOptions {
  strategy: 'exponentialBackoff';
  maxRetryCount: number;
  minimumInterval: Duration | number;
  maximumInterval: Duration | number;
}

export interface Duration {
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

export type LogHandler = (level: LogLevel, ...args: unknown[]) => void;

export interface GenericFunctionOptions extends FunctionOptions {
  retry?: RetryOptions;
}

export interface GenericTriggerOptions extends Record<string, unknown> {
  type: string;
}

export interface GenericInputOptions extends Record<string, unknown> {
  type: string;
}

export interface GenericOutputOptions extends Record<string, unknown> {
  type: string;
}

export interface SetupOptions {
  enableHttpStream?: boolean;
  capabilities?: Record<string, string | boolean>;
}

/**
 * The options of a trigger Perdure does not run (queues, blobs, Cosmos DB, ...): registering one throws
 * UnsupportedFeatureError, so only the handler's presence is typed.
 */
export interface UnsupportedFunctionOptions extends Record<string, unknown> {
  // As FunctionHandler: the trigger's payload type is the binding's.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  handler: (triggerInput: any, context: InvocationContext) => FunctionResult<any>;
}
