/**
 * @module errors
 * Every error Perdure throws at a caller derives from PerdureError. Each
 * subclass carries the facts a caller (or the HTTP layer) needs to react,
 * so nobody has to parse a message.
 */
import type { FailureDetails } from './failure.ts';
import type { RuntimeStatus } from './runtime-status.ts';

export class PerdureError extends Error {
  override name = 'PerdureError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Thrown by an activity (or an orchestrator) for a failure that no retry can
 * fix: a declined card, a missing record. Its failure details carry
 * `isNonRetryable: true`, and no retry policy retries it. Subclass it to give
 * the failure its own name.
 *
 * @example
 * class CardDeclined extends NonRetryableError {}
 * app.activity('Charge', async (order) => {
 *   if (!(await charge(order))) throw new CardDeclined(`card of order ${order.id} declined`);
 * });
 */
export class NonRetryableError extends PerdureError {
  override name = 'NonRetryableError';
  /** The mark failure details copy; a brand rather than `instanceof`, so two copies of the package agree. */
  readonly isNonRetryable = true as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // A subclass keeps its own name without declaring it again.
    if (new.target !== NonRetryableError) this.name = new.target.name;
  }
}

/** Which activity timeout fired: the attempt ran too long, or it stopped heartbeating. */
export type ActivityTimeoutType = 'startToClose' | 'heartbeat';

/**
 * An activity attempt ran past its `timeoutMs` (`startToClose`) or went
 * `heartbeatTimeoutMs` without a heartbeat (`heartbeat`). The engine fails
 * the attempt with it (whatever the activity later returns is discarded);
 * a retry policy sees it as any other failure, by the name
 * `ActivityTimeoutError`, and `failure.timeoutType` says which timeout.
 */
export class ActivityTimeoutError extends PerdureError {
  override name = 'ActivityTimeoutError';
  constructor(
    readonly activityName: string,
    readonly timeoutType: ActivityTimeoutType,
    readonly timeoutMs: number,
  ) {
    super(
      timeoutType === 'heartbeat'
        ? `Activity '${activityName}' sent no heartbeat for ${timeoutMs} ms (heartbeat timeout).`
        : `Activity '${activityName}' did not finish within ${timeoutMs} ms (start-to-close timeout).`,
    );
  }
}

/** Bad input at an entry point; `field` names what is wrong. */
export class ValidationError extends PerdureError {
  override name = 'ValidationError';
  /** What is wrong with the field, without the `Invalid <field>:` prefix. */
  readonly reason: string;
  constructor(
    readonly field: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid ${field}: ${reason}`, options);
    this.reason = reason;
  }
}

export class PayloadTooLargeError extends ValidationError {
  override name = 'PayloadTooLargeError';
  constructor(
    field: string,
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(field, `${bytes} bytes exceeds the limit of ${limitBytes} bytes`);
  }
}

export interface ExistingInstanceInfo {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly createdTime: string;
  /** Reason `tombstone`: when the instance was purged (its tombstone keeps the ID used). */
  readonly purgedTime?: string;
}

/**
 * Why a start was refused: the ID is taken (`exists`), or `useExisting`
 * found an instance of another orchestration (`nameMismatch`) or one started
 * with other input (`inputMismatch`, with `onInputMismatch: 'error'`), or
 * the ID belongs to a purged instance started with `reuseStatuses: []`
 * whose tombstone keeps it used (`tombstone`; `releaseInstanceId` frees it).
 */
export type AlreadyExistsReason = 'exists' | 'nameMismatch' | 'inputMismatch' | 'tombstone';

export class InstanceAlreadyExistsError extends PerdureError {
  override name = 'InstanceAlreadyExistsError';
  constructor(
    readonly existing: ExistingInstanceInfo,
    readonly reason: AlreadyExistsReason = 'exists',
  ) {
    super(alreadyExistsMessage(existing, reason));
  }
}

function alreadyExistsMessage(existing: ExistingInstanceInfo, reason: AlreadyExistsReason): string {
  const base = `An instance with ID '${existing.instanceId}' already exists`;
  if (reason === 'nameMismatch') return `${base}, of another orchestration ('${existing.name}').`;
  if (reason === 'inputMismatch') return `${base}, started with other input.`;
  if (reason === 'tombstone') {
    return (
      `The instance ID '${existing.instanceId}' was used once (by '${existing.name}', purged ${existing.purgedTime ?? ''}) ` +
      'and its tombstone keeps it used; releaseInstanceId frees it.'
    );
  }
  return `${base}.`;
}

export class InstanceNotFoundError extends PerdureError {
  override name = 'InstanceNotFoundError';
  constructor(readonly instanceId: string) {
    super(`No instance with ID '${instanceId}' was found.`);
  }
}

/** The instance exists but its status does not allow the operation (HTTP 410). */
export class InvalidInstanceStateError extends PerdureError {
  override name = 'InvalidInstanceStateError';
  constructor(
    readonly instanceId: string,
    readonly operation: string,
    readonly runtimeStatus: RuntimeStatus,
  ) {
    super(`Cannot ${operation} instance '${instanceId}': it is ${runtimeStatus}.`);
  }
}

export class FunctionNotFoundError extends PerdureError {
  override name = 'FunctionNotFoundError';
  constructor(
    readonly kind: 'orchestration' | 'activity' | 'entity',
    readonly functionName: string,
  ) {
    super(`No ${kind} function named '${functionName}' is registered.`);
  }
}

export class WaitForCompletionTimeoutError extends PerdureError {
  override name = 'WaitForCompletionTimeoutError';
  constructor(
    readonly instanceId: string,
    readonly timeoutMs: number,
  ) {
    super(`Instance '${instanceId}' did not complete within ${timeoutMs} ms.`);
  }
}

/** Thrown inside an orchestrator when an activity it awaited failed. Catchable. */
export class TaskFailedError extends PerdureError {
  override name = 'TaskFailedError';
  /** Set when the task's failure is non-retryable, so an orchestrator that lets it escape fails non-retryably too. */
  readonly isNonRetryable?: true;
  constructor(
    readonly taskName: string,
    readonly taskId: number,
    readonly failure: FailureDetails,
    message = `Task '${taskName}' (#${taskId}) failed: ${failure.name}: ${failure.message}`,
  ) {
    super(message);
    if (failure.isNonRetryable === true) this.isNonRetryable = true;
  }
}

/** Thrown inside a parent orchestrator when a sub-orchestration it awaited failed. */
export class SubOrchestrationFailedError extends TaskFailedError {
  override name = 'SubOrchestrationFailedError';
  constructor(
    taskName: string,
    taskId: number,
    readonly childInstanceId: string,
    failure: FailureDetails,
  ) {
    super(
      taskName,
      taskId,
      failure,
      `Sub-orchestration '${taskName}' (instance '${childInstanceId}', #${taskId}) failed: ${failure.name}: ${failure.message}`,
    );
  }
}

/** Thrown inside an orchestrator when an entity operation it called threw (its state change was rolled back). */
export class EntityOperationFailedError extends PerdureError {
  override name = 'EntityOperationFailedError';
  constructor(
    readonly entityInstanceId: string,
    readonly operationName: string,
    readonly failure: FailureDetails,
  ) {
    super(`Operation '${operationName}' on entity '${entityInstanceId}' failed: ${failure.name}: ${failure.message}`);
  }
}

/** A replay produced different actions from those recorded in history. */
export class NonDeterministicOrchestrationError extends PerdureError {
  override name = 'NonDeterministicOrchestrationError';
}

/** The store file or database was written by a newer Perdure. */
/**
 * A host refused to run an instance whose orchestration version its code
 * does not accept (`versionMatch`, with `onVersionMismatch: 'fail'`).
 */
export class VersionMismatchError extends PerdureError {
  override name = 'VersionMismatchError';
  constructor(
    readonly orchestrationName: string,
    readonly instanceVersion: string,
    readonly hostVersion: string,
    readonly versionMatch: string,
  ) {
    super(
      `Orchestration '${orchestrationName}' is at version '${instanceVersion}', but this host runs version '${hostVersion}' ` +
        `and accepts ${versionMatch === 'strict' ? 'only that version' : 'that version or older'} (versionMatch '${versionMatch}').`,
    );
  }
}

export class SchemaVersionError extends PerdureError {
  override name = 'SchemaVersionError';
}

/**
 * Why a store cannot serve: `full` (no space left), `readOnly` (the file,
 * mount, role or server refuses writes), `corrupt` (the file or a page fails
 * its checks), `io` (the disk or OS reported an I/O error), `unreachable`
 * (cannot open the file, cannot reach the server, out of server resources).
 */
export type StoreFaultReason = 'full' | 'readOnly' | 'corrupt' | 'io' | 'unreachable' | 'busy';

/**
 * The store could not be opened or reached, or refuses to write: an outage
 * an operator must fix, not a bug (HTTP 503, or 507 when `reason` is `full`).
 */
export class StoreUnavailableError extends PerdureError {
  override name = 'StoreUnavailableError';
  readonly reason: StoreFaultReason;
  constructor(message: string, options: { cause?: unknown; reason?: StoreFaultReason } = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.reason = options.reason ?? 'unreachable';
  }
}

/** An event ID (`Idempotency-Key`) was reused for a different event name or payload on the same instance (HTTP 422). */
export class EventIdConflictError extends PerdureError {
  override name = 'EventIdConflictError';
  constructor(
    readonly instanceId: string,
    readonly eventId: string,
  ) {
    super(`Event ID '${eventId}' was already used on instance '${instanceId}' for a different event name or payload.`);
  }
}

/** Configuration that cannot work (bad store URL, missing host key, ...). */
export class ConfigurationError extends PerdureError {
  override name = 'ConfigurationError';
}

/** No schedule has this name (HTTP 404). */
export class ScheduleNotFoundError extends PerdureError {
  override name = 'ScheduleNotFoundError';
  constructor(readonly scheduleName: string) {
    super(`No schedule named '${scheduleName}' was found.`);
  }
}

/** A schedule with this name already exists (HTTP 409). */
export class ScheduleAlreadyExistsError extends PerdureError {
  override name = 'ScheduleAlreadyExistsError';
  constructor(readonly scheduleName: string) {
    super(`A schedule named '${scheduleName}' already exists.`);
  }
}
