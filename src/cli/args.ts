/**
 * @module cli/args
 * Command-line parsing with Node's `util.parseArgs`.
 *
 * What must hold:
 * - Anything malformed (unknown flag, missing value, unknown command) is a
 *   CliError, which main prints as one line and exits with code 2.
 */
import { parseArgs } from 'node:util';

export class CliError extends Error {
  override name = 'CliError';
}

export const USAGE = `Usage: perdure start [app module] [options]
       perdure start <Azure Functions app folder> [options]

Starts the host: workers plus the HTTP server (app triggers under /api/,
the management API under /runtime/webhooks/durabletask/). Given a folder with
host.json, serves that Durable Functions app unmodified (docs/migrating-from-durable-functions.md).

Options:
  --port N          Port to listen on (env PORT, default 7071; 0 picks a free port)
  --host ADDR       Address to bind (env PERDURE_HOST, default 127.0.0.1)
  --store URL       Store URL (env PERDURE_STORE, default sqlite:./.perdure/perdure.db)
  --config PATH     Config module (default: perdure.config.ts, .js or .mjs in the current directory)
  --log-format F    json or pretty (default: pretty on a terminal, json otherwise); logs go to stderr
  --log-level L     fatal, error, warn, info, debug, trace or silent (env PERDURE_LOG_LEVEL, default info)
  -h, --help        Show this help

Environment: PERDURE_MASTER_KEY, PERDURE_SYSTEM_KEY, PERDURE_FUNCTION_KEYS
(a key is required to bind a non-loopback address; PERDURE_HOST_KEY is the
master key's old name), PERDURE_MAX_BODY_BYTES (default 1048576),
PERDURE_MAX_CONNECTIONS, PERDURE_REQUEST_TIMEOUT_MS, PERDURE_HEADERS_TIMEOUT_MS,
PERDURE_ALLOWED_HOSTS, PERDURE_SHOW_STACK_PATHS, PERDURE_LOG_LEVEL.`;

export interface StartFlags {
  readonly command: 'start';
  readonly appModule?: string;
  readonly port?: string;
  readonly host?: string;
  readonly store?: string;
  readonly config?: string;
  readonly logFormat?: string;
  readonly logLevel?: string;
}

export type ParsedArgs = StartFlags | { readonly command: 'help' };

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        store: { type: 'string' },
        config: { type: 'string' },
        'log-format': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, appModule, ...extra] = positionals;
  if (values.help || command === 'help') return { command: 'help' };
  if (command === undefined) throw new CliError(`Missing command.\n\n${USAGE}`);
  if (command !== 'start') throw new CliError(`Unknown command '${command}'.\n\n${USAGE}`);
  if (extra.length > 0) throw new CliError(`Unexpected argument '${extra[0]}': give one app module.`);
  return {
    command: 'start',
    ...defined({ appModule, port: values.port, host: values.host, store: values.store, config: values.config }),
    ...defined({ logFormat: values['log-format'], logLevel: values['log-level'] }),
  };
}

function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}
