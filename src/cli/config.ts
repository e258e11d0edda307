/**
 * @module cli/config
 * Resolves the host's settings. Precedence, highest first: command-line
 * flags, environment variables, the config module's default export,
 * built-in defaults.
 *
 * What must hold:
 * - Every bad value is a CliError naming where it came from, raised before
 *   anything is opened or bound.
 * - Relative paths in a config module are relative to that module's folder;
 *   those on the command line, to the working directory.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '../model/errors.ts';
import { TUNING_KEYS, validateHostTuning } from '../runtime/host-options.ts';
import type { HostOptions } from '../runtime/host.ts';
import { CliError } from './cli-error.ts';
import type { StartFlags } from './start-command.ts';
import { importModule } from './import-module.ts';
import { bool, resolveServerSettings, SERVER_CONFIG_KEYS, type ServerConfig, type ServerSettings } from './server-config.ts';

/** The default export of `perdure.config.ts` (or `.js`/`.mjs`). */
export interface PerdureConfig extends ServerConfig {
  readonly app?: string;
  readonly store?: string;
  readonly port?: number;
  readonly host?: string;
  readonly maxBodyBytes?: number;
  /** Passed to createHost: worker tuning. */
  readonly orchestrations?: HostOptions['orchestrations'];
  readonly activities?: HostOptions['activities'];
  readonly maxPollIntervalMs?: number;
  readonly shutdownGraceMs?: number;
  readonly maxPayloadBytes?: number;
  readonly maxDeliveries?: number;
  /** false: serve HTTP (start, query, control) but leave the work to other processes sharing the store. */
  readonly workers?: boolean;
  /** false: run the workers on the thread that serves HTTP, as embedded hosts do (default true; decision 0038). */
  readonly engineThread?: boolean;
}

export interface Settings {
  readonly appModule: string;
  readonly store: string;
  readonly port: number;
  readonly host: string;
  readonly maxBodyBytes: number;
  /** Keys, allowed host names, connection and time limits, stack paths (cli/server-config). */
  readonly server: ServerSettings;
  readonly configPath: string | undefined;
  /** Run the workers in an engine thread (cli/engine-thread.ts), so orchestrator code never delays HTTP. */
  readonly engineThread: boolean;
  readonly hostTuning: Pick<
    PerdureConfig,
    'orchestrations' | 'activities' | 'maxPollIntervalMs' | 'shutdownGraceMs' | 'maxPayloadBytes' | 'maxDeliveries' | 'workers'
  >;
}

export const DEFAULTS = { port: 7071, host: '127.0.0.1', store: 'sqlite:./.perdure/perdure.db', maxBodyBytes: 1024 * 1024 } as const;
const CONFIG_NAMES = ['perdure.config.ts', 'perdure.config.mjs', 'perdure.config.js'];
const CONFIG_KEYS = new Set<string>([
  'app',
  'store',
  'port',
  'host',
  'maxBodyBytes',
  'engineThread',
  ...SERVER_CONFIG_KEYS,
  ...TUNING_KEYS,
]);

export async function resolveSettings(flags: StartFlags, env: NodeJS.ProcessEnv, cwd: string): Promise<Settings> {
  const configPath = findConfig(flags.config, cwd);
  const config = configPath ? await loadConfig(configPath) : {};
  const from = configPath ? `${configPath}` : 'config';
  const e = (name: string) => (env[name] === '' ? undefined : env[name]);
  const appModule = flags.appModule ? resolve(cwd, flags.appModule) : config.app ? resolve(dirname(configPath!), config.app) : undefined;
  if (!appModule) throw new CliError('No app module: run `perdure start <app module>` or set `app` in perdure.config.ts.');
  return {
    appModule,
    store:
      text(flags.store, '--store') ?? text(e('PERDURE_STORE'), 'PERDURE_STORE') ?? text(config.store, `store in ${from}`) ?? DEFAULTS.store,
    port:
      int(flags.port, '--port', 0, 65535) ??
      int(e('PORT'), 'PORT', 0, 65535) ??
      int(config.port, `port in ${from}`, 0, 65535) ??
      DEFAULTS.port,
    host: text(flags.host, '--host') ?? text(e('PERDURE_HOST'), 'PERDURE_HOST') ?? text(config.host, `host in ${from}`) ?? DEFAULTS.host,
    maxBodyBytes:
      int(e('PERDURE_MAX_BODY_BYTES'), 'PERDURE_MAX_BODY_BYTES', 1, 2 ** 31) ??
      int(config.maxBodyBytes, `maxBodyBytes in ${from}`, 1, 2 ** 31) ??
      DEFAULTS.maxBodyBytes,
    server: resolveServerSettings(config, e, from),
    configPath,
    engineThread:
      flags.engineThread ??
      bool(e('PERDURE_ENGINE_THREAD'), 'PERDURE_ENGINE_THREAD') ??
      bool(config.engineThread, `engineThread in ${from}`) ??
      true,
    hostTuning: hostTuning(config, from),
  };
}

function findConfig(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new CliError(`Config file not found: ${path}`);
    return path;
  }
  return CONFIG_NAMES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
}

async function loadConfig(path: string): Promise<PerdureConfig> {
  let loaded: { default?: unknown };
  try {
    loaded = (await importModule(path)) as { default?: unknown };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`Cannot load config ${path}: ${(error as Error).message}`);
  }
  const config = loaded.default;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new CliError(`Config ${path} must export default an object, e.g. export default { store: 'sqlite:./data/app.db' }.`);
  }
  const unknown = Object.keys(config).filter((key) => !CONFIG_KEYS.has(key));
  if (unknown.length > 0) throw new CliError(`Unknown key '${unknown[0]}' in ${path} (known: ${[...CONFIG_KEYS].join(', ')}).`);
  return config;
}

function hostTuning(config: PerdureConfig, from: string): Settings['hostTuning'] {
  const { orchestrations, activities, maxPollIntervalMs, shutdownGraceMs, maxPayloadBytes, maxDeliveries, workers } = config;
  const tuning = Object.fromEntries(
    Object.entries({ orchestrations, activities, maxPollIntervalMs, shutdownGraceMs, maxPayloadBytes, maxDeliveries, workers }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  try {
    validateHostTuning(tuning);
  } catch (error) {
    if (error instanceof ValidationError) throw new CliError(`${error.field} in ${from}: ${error.reason}.`);
    throw error;
  }
  return tuning;
}

function text(value: unknown, source: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new CliError(`${source} must be a non-empty string.`);
  return value.trim();
}

function int(value: unknown, source: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new CliError(`${source} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)}).`);
  }
  return n;
}
