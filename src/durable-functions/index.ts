/**
 * @module perdure/durable-functions
 * The public API of `durable-functions` v3, running on Perdure:
 * `df.app.orchestration`, `df.app.activity`, `df.app.client.*`,
 * `df.input.durableClient()`, `df.getClient(context)` and its DurableClient,
 * `context.df.*` in orchestrators, RetryOptions, statuses and errors.
 * `perdure start <dir>` resolves an app's `require('durable-functions')` and
 * `import ... from 'durable-functions'` here, so the app runs unmodified.
 *
 * Not supported, each throwing UnsupportedFeatureError naming it: durable
 * entities (registering one only warns, so the rest of the app runs),
 * `callHttp`, orchestration versions, exception properties providers.
 *
 * @example
 * const df = require('durable-functions');
 * df.app.activity('Hello', { handler: (name) => `Hello ${name}` });
 * df.app.orchestration('HelloSequence', function* (context) {
 *   return [yield context.df.callActivity('Hello', 'Tokyo'), yield context.df.callActivity('Hello', 'Seattle')];
 * });
 */
import * as app from './app.ts';
import { DummyEntityContext, DurableLock, EntityId, EntityStateResponse, LockState } from './entity.ts';
import { AggregatedError, DurableError, LockingRulesViolationError, TaskFailedError } from './errors.ts';
import { DummyOrchestrationContext } from './dummy-orchestration-context.ts';
import { DurableClient, PurgeHistoryResult } from './durable-client.ts';
import { getClient } from './get-client.ts';
import * as input from './input.ts';
import { DurableOrchestrationContext } from './orchestration-context.ts';
import { DurableOrchestrationStatus } from './orchestration-status.ts';
import { RetryOptions } from './retry-options.ts';
import { OrchestrationRuntimeStatus } from './runtime-status.ts';
import { ManagedIdentityTokenSource } from './token-source.ts';
import * as trigger from './trigger.ts';

export {
  AggregatedError,
  app,
  DummyEntityContext,
  DummyOrchestrationContext,
  DurableClient,
  DurableError,
  DurableLock,
  DurableOrchestrationContext,
  DurableOrchestrationStatus,
  EntityId,
  EntityStateResponse,
  getClient,
  input,
  LockingRulesViolationError,
  LockState,
  ManagedIdentityTokenSource,
  OrchestrationRuntimeStatus,
  PurgeHistoryResult,
  RetryOptions,
  TaskFailedError,
  trigger,
};
export type { ActivityHandler, ActivityOptions, ActivityTrigger, RegisteredActivity } from './activity-types.ts';
export type { ExceptionPropertiesProvider } from './app.ts';
export type {
  DurableClientHandler,
  DurableClientOptions,
  HttpDurableClientHandler,
  HttpDurableClientOptions,
  TimerDurableClientHandler,
  TimerDurableClientOptions,
} from './client-types.ts';
export type {
  GetStatusOptions,
  HttpManagementPayload,
  OrchestrationFilter,
  StartNewOptions,
  TaskHubOptions,
  WaitForCompletionOptions,
} from './durable-client.ts';
export type { DurableEntityContext, EntityContext, EntityHandler, EntityOptions, EntityTrigger } from './entity.ts';
export type { FailureDetails } from './errors.ts';
export type { DurableClientInput } from './input.ts';
export type {
  CallHttpOptions,
  OrchestrationContext,
  OrchestrationHandler,
  OrchestrationOptions,
  OrchestrationTrigger,
  RegisteredOrchestration,
  TokenSource,
} from './orchestration-types.ts';
export type { RegisteredActivityTask, RegisteredOrchestrationTask, Task, TimerTask } from './task-types.ts';

/** `import df from 'durable-functions'` works with the real (CommonJS) package; this keeps it working here. */
const durableFunctions = {
  AggregatedError,
  app,
  DummyEntityContext,
  DummyOrchestrationContext,
  DurableClient,
  DurableError,
  DurableLock,
  DurableOrchestrationContext,
  DurableOrchestrationStatus,
  EntityId,
  EntityStateResponse,
  getClient,
  input,
  LockingRulesViolationError,
  LockState,
  ManagedIdentityTokenSource,
  OrchestrationRuntimeStatus,
  PurgeHistoryResult,
  RetryOptions,
  TaskFailedError,
  trigger,
};
export default durableFunctions;
