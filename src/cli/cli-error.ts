/**
 * @module cli/cli-error
 * The CLI's exit codes and the one mapping from an error to a code, shared
 * by `perdure start` and the operator commands.
 *
 * What must hold:
 * - 0 ok, 1 error, 2 usage (bad flags, bad values, bad configuration),
 *   3 not found (an instance or a schedule), 4 conflict (a singleton already
 *   live, a schedule name taken, an ID kept by a tombstone, or the
 *   instance's status does not allow the operation).
 * - The same failure gives the same code whether a command went through a
 *   server or straight to a store: both targets throw the model's typed errors.
 */
import { CommanderError } from 'commander';
import {
  ConfigurationError,
  EventIdConflictError,
  FunctionNotFoundError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidInstanceStateError,
  ScheduleAlreadyExistsError,
  ScheduleNotFoundError,
  ValidationError,
} from '../model/errors.ts';

export const ExitCode = { Ok: 0, Error: 1, Usage: 2, NotFound: 3, Conflict: 4 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake the CLI reports in one line; usage mistakes (the default) exit 2. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: ExitCode;
  constructor(message: string, options: { exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.exitCode = options.exitCode ?? ExitCode.Usage;
  }
}

export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  if (error instanceof ConfigurationError || error instanceof ValidationError) return ExitCode.Usage;
  if (error instanceof InstanceNotFoundError || error instanceof FunctionNotFoundError || error instanceof ScheduleNotFoundError) {
    return ExitCode.NotFound;
  }
  if (error instanceof ScheduleAlreadyExistsError) return ExitCode.Conflict;
  if (error instanceof InstanceAlreadyExistsError || error instanceof InvalidInstanceStateError || error instanceof EventIdConflictError) {
    return ExitCode.Conflict;
  }
  return ExitCode.Error;
}
