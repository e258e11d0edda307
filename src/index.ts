/**
 * @module perdure
 * The public API: the app, the host, the client, errors and types. Everything
 * a user imports is named here explicitly; what is not exported is internal.
 * The HTTP layer is `perdure/http`, test helpers are `perdure/testing`, and
 * the Store interface with its contract suite is `perdure/store`.
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
export type { DurableClient } from './client/client.ts';
export type {
  GetStatusOptions,
  PurgeOptions,
  RaiseEventOptions,
  StartNewOptions,
  StartNewResult,
  TerminateOptions,
} from './client/client.ts';
export type { ListInstancesFilter, PurgeInstancesFilter } from './client/filters.ts';
export type { HttpManagementPayload } from './client/http-management.ts';
export { createManualClock, systemClock } from './runtime/clock.ts';
export type { Clock, ManualClock } from './runtime/clock.ts';
export { consoleLogger, silentLogger } from './runtime/logger.ts';
export type { LogFields, Logger } from './runtime/logger.ts';
export { createPinoLogger, fromPino } from './runtime/pino-logger.ts';
export type { LogFormat, LogLevel, PinoLoggerOptions } from './runtime/pino-logger.ts';
export type { HostMetrics, CountsCallback, MetricsOptions } from './runtime/metrics.ts';
export type { TraceContext } from './model/trace-context.ts';
export type { OrchestrationContext } from './orchestration/context.ts';
export type {
  ActivityRef,
  CallActivityOptions,
  ContinueAsNewOptions,
  OrchestrationRef,
  ReplaySafeLogger,
  SubOrchestratorOptions,
} from './orchestration/context.ts';
export { RetryPolicy } from './orchestration/retry-policy.ts';
export type { RetryPolicyOptions } from './orchestration/retry-policy.ts';
export { Task, TimerTask, TimerCancelledError } from './orchestration/task.ts';
export type { ParentClosePolicy } from './orchestration/task.ts';
export { RuntimeStatus } from './model/runtime-status.ts';
export type { OrchestrationStatus } from './model/instance.ts';
export type { HistoryEvent } from './model/history.ts';
export type { FailureDetails } from './model/failure.ts';
export { entityInstanceId, parseEntityInstanceId } from './model/entity-id.ts';
export type { EntityId, OperationInput, OperationName, OperationResult, TypedEntityId } from './model/entity-id.ts';
export { UnknownEntityOperationError } from './runtime/entity.ts';
export type {
  EntityContext,
  EntityDefinition,
  EntityHandler,
  EntityOperations,
  EntitySignalOptions,
  EntityStartOptions,
} from './runtime/entity.ts';
export type { EntityLock } from './orchestration/entity-tasks.ts';
export type {
  CleanEntityStorageResult,
  EntityMetadata,
  EntityPage,
  EntityStateResponse,
  ListEntitiesQuery,
  SignalEntityOptions,
} from './client/entity-client.ts';
export {
  ActivityTimeoutError,
  ConfigurationError,
  EntityOperationFailedError,
  EventIdConflictError,
  FunctionNotFoundError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidInstanceStateError,
  NonDeterministicOrchestrationError,
  NonRetryableError,
  PayloadTooLargeError,
  PerdureError,
  ScheduleAlreadyExistsError,
  ScheduleNotFoundError,
  SchemaVersionError,
  StoreUnavailableError,
  SubOrchestrationFailedError,
  TaskFailedError,
  ValidationError,
  WaitForCompletionTimeoutError,
} from './model/errors.ts';
export type { ActivityTimeoutType } from './model/errors.ts';
export type { AlreadyExistsReason, StoreFaultReason } from './model/errors.ts';
export type { SingletonStartOptions } from './client/start-options.ts';
export type { OverlapPolicy, ScheduleDefinition, ScheduleOptions } from './client/schedule-spec.ts';
export type { ScheduleAction, ScheduleActionOutcome } from './client/schedule-state.ts';
export type { ScheduleClient, ScheduleDescription } from './client/schedules.ts';
export { SCHEDULE_CANCEL_EVENT } from './client/schedule-runner.ts';
export { openStore } from './store/open-store.ts';
export type { OpenStoreOptions } from './store/open-store.ts';
export type { ConflictPolicy, PendingStart, Store, StoreHealth } from './store/store.ts';
