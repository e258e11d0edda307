/**
 * @module durable-functions/errors
 * The error classes `durable-functions` v3 exports, and the translation of
 * Perdure's task failures into Durable Functions' TaskFailedError, which is
 * what a DF orchestrator catches around `yield context.df.callActivity(...)`.
 *
 * What must hold:
 * - A failed activity or sub-orchestration reaches the orchestrator as a
 *   TaskFailedError whose message is `${errorType}: ${errorMessage}` and
 *   whose `failureDetails` carry the original error's type, message and stack.
 */
import type { FailureDetails as PerdureFailure } from '../model/failure.ts';
import { TaskFailedError as PerdureTaskFailedError } from '../model/errors.ts';
import { UnsupportedFeatureError } from '../azure-functions/unsupported.ts';

export class DurableError extends Error {
  override name = 'DurableError';
  constructor(message: string | undefined) {
    super(message);
  }
}

export class AggregatedError extends Error {
  override name = 'AggregatedError';
  constructor(readonly errors: Error[]) {
    super(
      'context.df.Task.all() encountered the below error messages:\n\n' +
        errors
          .map((e) => `Name: ${e.name}\nMessage: ${e.message}\nStackTrace: ${e.stack ?? ''}`)
          .join('\n-----------------------------------\n'),
    );
  }
}

export interface FailureDetails {
  errorType: string;
  errorMessage: string;
  stackTrace?: string;
  isNonRetriable: boolean;
  properties?: Record<string, unknown>;
  innerFailure?: FailureDetails;
  isCausedBy(errorType: string): boolean;
}

export class TaskFailedError extends Error {
  override name = 'TaskFailedError';
  readonly failureDetails: FailureDetails;
  readonly taskName?: string;
  readonly taskId?: number;

  constructor(failureDetails: FailureDetails, taskName?: string, taskId?: number) {
    super(`${failureDetails.errorType}: ${failureDetails.errorMessage}`);
    this.failureDetails = failureDetails;
    if (taskName !== undefined) this.taskName = taskName;
    if (taskId !== undefined) this.taskId = taskId;
    if (failureDetails.stackTrace) this.stack = failureDetails.stackTrace;
  }
}

export function failureDetailsOf(failure: PerdureFailure): FailureDetails {
  const details: FailureDetails = {
    errorType: failure.name || 'Error',
    errorMessage: failure.message ?? '',
    isNonRetriable: false,
    ...(failure.stack ? { stackTrace: failure.stack } : {}),
    isCausedBy: (errorType) => details.errorType === errorType,
  };
  return details;
}

/** Perdure's task failure as Durable Functions shows it; any other error passes unchanged. */
export function toDurableError(error: unknown): unknown {
  if (!(error instanceof PerdureTaskFailedError)) return error;
  return new TaskFailedError(failureDetailsOf(error.failure), error.taskName, error.taskId);
}

export class LockingRulesViolationError extends Error {
  static readonly code = 'LOCKING_RULES_VIOLATION';
  override name = 'LockingRulesViolationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Durable entities do not exist in Perdure yet; every entity call says so. */
export function entitiesUnsupported(call: string): never {
  throw new UnsupportedFeatureError('Durable entities', `${call} needs entities, which Perdure does not implement yet.`);
}
