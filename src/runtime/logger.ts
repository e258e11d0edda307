/**
 * @module logger
 * The logging surface the runtime writes to. Defaults to the console;
 * hosts can pass anything with these methods (pino, winston, ...).
 *
 * What must hold:
 * - `debug` is optional, so every existing logger still fits; callers use
 *   `logger.debug?.(...)`. It carries what is normal but noisy (a client
 *   that went away mid-request), which must never reach the error log.
 * - The console logger writes debug lines only when `PERDURE_LOG_LEVEL=debug`.
 */
export interface Logger {
  debug?(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
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
