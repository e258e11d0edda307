/**
 * @module logger
 * The logging surface the runtime writes to. Defaults to the console;
 * hosts can pass anything with these three methods (pino, winston, ...).
 */
export interface Logger {
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

export const consoleLogger: Logger = console;

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
