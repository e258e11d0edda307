/**
 * @module cli/log-options
 * `perdure start --log-format json|pretty --log-level LEVEL`: the host's
 * logger from the flags (else `PERDURE_LOG_LEVEL`; the format defaults to
 * pretty on a terminal and JSON otherwise).
 *
 * What must hold: a bad value is a CliError naming the flag and the values
 * it takes, reported before anything is opened.
 */
import { ValidationError } from '../model/errors.ts';
import type { Logger } from '../runtime/logger.ts';
import { createPinoLogger, logFormatOf, logLevelOf } from '../runtime/pino-logger.ts';
import { CliError } from './cli-error.ts';

export interface LogFlags {
  readonly logFormat?: string;
  readonly logLevel?: string;
}

export function loggerFromFlags(flags: LogFlags): Logger {
  try {
    const format = flags.logFormat === undefined ? undefined : logFormatOf(flags.logFormat, '--log-format');
    const level = flags.logLevel === undefined ? undefined : logLevelOf(flags.logLevel, '--log-level');
    return createPinoLogger({ ...(format ? { format } : {}), ...(level ? { level } : {}) });
  } catch (error) {
    if (error instanceof ValidationError) throw new CliError(error.message, { cause: error });
    throw error;
  }
}
