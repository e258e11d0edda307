/**
 * @module durable-functions/orchestration-types
 * The orchestration vocabulary of `durable-functions` v3.
 */
import type { FunctionOptions, FunctionTrigger } from '../azure-functions/types.ts';
import type { InvocationContext } from '../azure-functions/invocation-context.ts';
import type { DurableOrchestrationContext } from './orchestration-context.ts';
import type { RetryOptions } from './retry-options.ts';
import type { ManagedIdentityTokenSource } from './token-source.ts';
import type { RegisteredOrchestrationTask, Task } from './task-types.ts';

export type OrchestrationHandler = (
  context: OrchestrationContext,
  // What the engine sends back into a plain `yield` is the task's result, of any type (Durable Functions' signature).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
) => Generator<Task, unknown, any>;

export interface OrchestrationContext extends InvocationContext {
  df: DurableOrchestrationContext;
}

export interface OrchestrationOptions extends Partial<FunctionOptions> {
  handler: OrchestrationHandler;
}

export interface OrchestrationTrigger extends FunctionTrigger {
  type: 'orchestrationTrigger';
}

export type RegisteredOrchestration = (input?: unknown, instanceId?: string) => RegisteredOrchestrationTask;

export interface CallHttpOptions {
  method: string;
  url: string;
  body?: string | object;
  headers?: { [key: string]: string };
  tokenSource?: TokenSource;
  enablePolling?: boolean;
  asynchronousPatternEnabled?: boolean;
}

export type TokenSource = ManagedIdentityTokenSource;

export type { RetryOptions };
