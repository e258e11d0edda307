/**
 * @module cli/start-command
 * `perdure start`'s flags, defined once: the option table below is all a new
 * flag needs (plus its use in config.ts).
 *
 * What must hold:
 * - Flags override environment variables, which override the config file
 *   (config.ts); this module only collects what was typed.
 * - A failure to start is one line (exit 1 or 2), never a stack, except for
 *   a failure nobody foresaw, which keeps its stack.
 */
import { inspect } from 'node:util';
import type { Command } from 'commander';
import { ConfigurationError, SchemaVersionError, StoreUnavailableError } from '../model/errors.ts';
import { CliError, ExitCode } from './cli-error.ts';
import { start } from './start.ts';

export interface StartFlags {
  readonly command: 'start';
  readonly appModule?: string;
  readonly port?: string;
  readonly host?: string;
  readonly store?: string;
  readonly config?: string;
}

type StartOption = Exclude<keyof StartFlags, 'command' | 'appModule'>;

/** Every `perdure start` flag: [name, value name, help]. */
const START_OPTIONS: readonly (readonly [StartOption, string, string])[] = [
  ['port', 'N', 'Port to listen on (env PORT, default 7071; 0 picks a free port)'],
  ['host', 'ADDR', 'Address to bind (env PERDURE_HOST, default 127.0.0.1)'],
  ['store', 'URL', 'Store URL (env PERDURE_STORE, default sqlite:./.perdure/perdure.db)'],
  ['config', 'PATH', 'Config module (default: perdure.config.ts, .js or .mjs in the current directory)'],
];

const START_HELP = `
Starts the host: workers plus the HTTP server (app triggers under /api/,
the management API under /runtime/webhooks/durabletask/). Given an Azure
Functions app folder (one with host.json) instead of an app module, serves
that Durable Functions app unmodified (docs/migrating-from-durable-functions.md).

Environment: PERDURE_MASTER_KEY, PERDURE_SYSTEM_KEY, PERDURE_FUNCTION_KEYS
(a key is required to bind a non-loopback address; PERDURE_HOST_KEY is the
master key's old name), PERDURE_MAX_BODY_BYTES (default 1048576),
PERDURE_MAX_CONNECTIONS, PERDURE_REQUEST_TIMEOUT_MS, PERDURE_HEADERS_TIMEOUT_MS,
PERDURE_ALLOWED_HOSTS, PERDURE_SHOW_STACK_PATHS, PERDURE_LOG_LEVEL=debug.`;

export function addStartCommand(program: Command): void {
  const command = program
    .command('start')
    .summary('run the host: workers and the HTTP server')
    .description(START_HELP.trim())
    .argument('[app module]', 'the app module, or an Azure Functions app folder');
  for (const [name, value, help] of START_OPTIONS) command.option(`--${name} <${value}>`, help);
  command.action(async (appModule: string | undefined, options: Partial<Record<StartOption, string>>) => {
    const flags: StartFlags = { command: 'start', ...defined({ appModule, ...options }) };
    try {
      await start(flags);
    } catch (error) {
      throw startFailure(error);
    }
  });
}

function startFailure(error: unknown): Error {
  if (error instanceof CliError || error instanceof ConfigurationError) return error;
  // The message names the file (or the redacted URL) and the cause; the stack would only bury it.
  if (error instanceof StoreUnavailableError || error instanceof SchemaVersionError) return new CliError(error.message, { exitCode: 1 });
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
    return new CliError(`cannot listen: ${(error as Error).message}`, { exitCode: ExitCode.Error });
  }
  return new CliError(`failed to start: ${inspect(error)}`, { exitCode: ExitCode.Error, cause: error });
}

function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}
