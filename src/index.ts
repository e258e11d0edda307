/**
 * @module perdure
 * The public API. Everything a user imports is named here explicitly.
 */
export { app, createApp, FunctionApp } from './runtime/app.ts';
export type {
  ActivityContext,
  ActivityDefinition,
  AuthLevel,
  HttpHandler,
  HttpMethod,
  HttpTriggerContext,
  HttpTriggerDefinition,
  HttpTriggerOptions,
  OrchestrationDefinition,
  OrchestratorHandler,
} from './runtime/app.ts';
export { createHost } from './runtime/host.ts';
export type { Host, HostOptions } from './runtime/host.ts';
export { DurableClient } from './client/client.ts';
export type { GetStatusOptions, StartNewOptions, StartNewResult } from './client/client.ts';
export type { ListInstancesFilter, PurgeInstancesFilter } from './client/filters.ts';
export type { HttpManagementPayload } from './client/http-management.ts';
export { createManualClock, systemClock } from './runtime/clock.ts';
export type { Clock, ManualClock } from './runtime/clock.ts';
export { consoleLogger, silentLogger } from './runtime/logger.ts';
export type { Logger } from './runtime/logger.ts';
export { OrchestrationContext } from './orchestration/context.ts';
export type { ContinueAsNewOptions, ReplaySafeLogger } from './orchestration/context.ts';
export { RetryPolicy } from './orchestration/retry-policy.ts';
export type { RetryPolicyOptions } from './orchestration/retry-policy.ts';
export { Task, TimerTask, TimerCancelledError } from './orchestration/task.ts';
export { RuntimeStatus } from './model/runtime-status.ts';
export type { OrchestrationStatus } from './model/instance.ts';
export type { HistoryEvent } from './model/history.ts';
export type { FailureDetails } from './model/failure.ts';
export {
  ConfigurationError,
  FunctionNotFoundError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidInstanceStateError,
  NonDeterministicOrchestrationError,
  PayloadTooLargeError,
  PerdureError,
  SchemaVersionError,
  StoreUnavailableError,
  SubOrchestrationFailedError,
  TaskFailedError,
  ValidationError,
  WaitForCompletionTimeoutError,
} from './model/errors.ts';
export { openStore } from './store/open-store.ts';
export type { ConflictPolicy, Store } from './store/store.ts';
export { createHttpApp } from './http/create-http-app.ts';
export type { HttpAppOptions } from './http/create-http-app.ts';
export { serveHttp } from './http/serve.ts';
export type { HttpServer, ServeOptions } from './http/serve.ts';
