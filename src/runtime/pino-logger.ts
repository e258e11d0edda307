/**
 * @module pino-logger
 * The host's default logger: pino, as JSON lines (one object per line, with
 * `level`, `time`, `msg` and the fields of the work the line is about) or as
 * pino-pretty's readable lines, on stderr so that the CLI's banner on stdout
 * stays apart from logs.
 *
 * What must hold:
 * - It fits the `Logger` surface: `(message, ...args)`, where an Error
 *   argument becomes `err` (name, message, stack), a plain object's keys
 *   become fields, and anything else is formatted into the message.
 * - A line below the level costs one level check, nothing else.
 */
import { format } from 'node:util';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import pretty from 'pino-pretty';
import { ValidationError } from '../model/errors.ts';
import type { LogFields, Logger } from './logger.ts';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface PinoLoggerOptions {
  /** Default: `pretty` when the destination is a terminal, `json` otherwise. */
  readonly format?: LogFormat;
  /** Default: `PERDURE_LOG_LEVEL`, else `info`. */
  readonly level?: LogLevel;
  /** Where lines go (default stderr); a test can pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

/**
 * @example
 * const host = await createHost({ app, store, logger: createPinoLogger({ format: 'json', level: 'debug' }) });
 */
export function createPinoLogger(options: PinoLoggerOptions = {}): Logger {
  const level = options.level ?? logLevelOf(process.env['PERDURE_LOG_LEVEL'] || 'info', 'PERDURE_LOG_LEVEL');
  const format = options.format ?? (options.destination === undefined && process.stderr.isTTY ? 'pretty' : 'json');
  const destination =
    format === 'pretty'
      ? pretty({ sync: true, destination: options.destination ?? 2, colorize: options.destination === undefined && process.stderr.isTTY })
      : (options.destination ?? pino.destination({ dest: 2, sync: true }));
  return fromPino(pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination));
}

/** Wraps any pino logger (a user's own, with its transports) in the runtime's Logger surface. */
export function fromPino(logger: Pino): Logger {
  const line =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, ...args: unknown[]): void => {
      if (!logger.isLevelEnabled(level)) return;
      if (args.length === 0) return logger[level](message);
      const fields: Record<string, unknown> = {};
      const rest: unknown[] = [];
      for (const arg of args) {
        if (arg instanceof Error) fields['err'] = arg;
        else if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) Object.assign(fields, arg);
        else rest.push(arg);
      }
      logger[level](fields, rest.length === 0 ? message : format(message, ...rest));
    };
  return {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    child: (fields: LogFields) => fromPino(logger.child(fields)),
  };
}

export function logFormatOf(value: string, field: string): LogFormat {
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
  throw new ValidationError(field, `must be one of ${LOG_FORMATS.join(', ')} (got ${JSON.stringify(value)})`);
}

export function logLevelOf(value: string, field: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ValidationError(field, `must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value)})`);
}
