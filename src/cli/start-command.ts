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
  readonly logFormat?: string;
  readonly logLevel?: string;
  /** `--no-engine-thread`: run the workers on the HTTP thread (decision 0038). */
  readonly engineThread?: boolean;
}

type StartOption = Exclude<keyof StartFlags, 'command' | 'appModule' | 'engineThread'>;

/** Every `perdure start` flag: [flag, value name, help]; commander names the option in camel case (`logFormat`). */
const START_OPTIONS: readonly (readonly [string, string, string])[] = [
  ['port', 'N', 'Port to listen on (env PORT, default 7071; 0 picks a free port)'],
  ['host', 'ADDR', 'Address to bind (env PERDURE_HOST, default 127.0.0.1)'],
  ['store', 'URL', 'Store URL (env PERDURE_STORE, default sqlite:./.perdure/perdure.db)'],
  ['config', 'PATH', 'Config module (default: perdure.config.ts, .js or .mjs in the current directory)'],
  ['log-format', 'F', 'json or pretty (default: pretty on a terminal, json otherwise); logs go to stderr'],
  ['log-level', 'L', 'fatal, error, warn, info, debug, trace or silent (env PERDURE_LOG_LEVEL, default info)'],
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
PERDURE_ALLOWED_HOSTS, PERDURE_SHOW_STACK_PATHS, PERDURE_ENGINE_THREAD, PERDURE_LOG_LEVEL.`;

export function addStartCommand(program: Command): void {
  const command = program
    .command('start')
    .summary('run the host: workers and the HTTP server')
    .description(START_HELP.trim())
    .argument('[app module]', 'the app module, or an Azure Functions app folder');
  for (const [name, value, help] of START_OPTIONS) command.option(`--${name} <${value}>`, help);
  command.option(
    '--no-engine-thread',
    'run the workers on the thread that serves HTTP (default: in an engine thread; config engineThread)',
  );
  type Options = Partial<Record<StartOption, string>> & { engineThread?: boolean };
  command.action(async (appModule: string | undefined, { engineThread, ...options }: Options) => {
    // Commander sets the negatable flag's default (true): only an explicit --no-engine-thread overrides the config.
    const flags: StartFlags = {
      command: 'start',
      ...defined({ appModule, ...options }),
      ...(engineThread === false ? { engineThread } : {}),
    };
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
