/**
 * @module logger
 * The logging surface the runtime writes to. Defaults to the console;
 * hosts can pass anything with these methods (pino, winston, ...).
 *
 * What must hold:
 * - `debug` is optional, so every existing logger still fits; callers use
 *   `logger.debug?.(...)`. It carries what is normal but noisy (a client
 *   that went away mid-request), which must never reach the error log.
 * - `child` is optional too: a logger that has it gets the fields
 *   (`instanceId`, `executionId`, `name`, `taskId`) of the work a line is
 *   about once, and puts them on every line; one without it is used as is.
 * - The console logger writes debug lines only when `PERDURE_LOG_LEVEL=debug`.
 *   The host's default is the pino logger (runtime/pino-logger.ts).
 */
export interface Logger {
  debug?(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  /** A logger whose every line carries these fields. */
  child?(fields: LogFields): Logger;
}

/** Fields that say which work a line is about. */
export interface LogFields {
  readonly instanceId?: string;
  readonly executionId?: string;
  readonly name?: string;
  readonly taskId?: number;
  readonly [key: string]: unknown;
}

export const consoleLogger: Logger = {
  debug: (message, ...args) => {
    if (process.env['PERDURE_LOG_LEVEL'] === 'debug') console.debug(message, ...args);
  },
  info: (message, ...args) => console.info(message, ...args),
  warn: (message, ...args) => console.warn(message, ...args),
  error: (message, ...args) => console.error(message, ...args),
};

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
