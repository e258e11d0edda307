/**
 * @module cli/server-config
 * The settings of `perdure start` that concern the HTTP surface: the keys,
 * the host names the server answers for, the connection and time limits,
 * and whether failure stacks keep their paths. Environment variables win
 * over the config module, as for every other setting.
 *
 * What must hold:
 * - Every bad value is a CliError naming where it came from.
 * - `PERDURE_HOST_KEY` / `hostKey` is the master key under its old name;
 *   setting it and the master key to different values is an error.
 */
import { ValidationError } from '../model/errors.ts';
import { validateKey, type HostKeys } from '../runtime/keys.ts';
import { validateServerLimits, type ServerLimits } from '../http/serve.ts';
import { CliError } from './cli-error.ts';

/** Keys of the config module read here. */
export const SERVER_CONFIG_KEYS = [
  'hostKey',
  'masterKey',
  'systemKey',
  'functionKeys',
  'allowedHosts',
  'maxConnections',
  'requestTimeoutMs',
  'headersTimeoutMs',
  'showStackPaths',
] as const;

export type ServerConfig = {
  readonly hostKey?: string;
  readonly masterKey?: string;
  readonly systemKey?: string;
  readonly functionKeys?: readonly string[];
  readonly allowedHosts?: readonly string[];
  readonly showStackPaths?: boolean;
} & ServerLimits;

export interface ServerSettings {
  readonly keys: HostKeys;
  readonly allowedHosts: readonly string[] | undefined;
  readonly limits: Required<ServerLimits>;
  readonly showStackPaths: boolean;
}

type Env = (name: string) => string | undefined;

export function resolveServerSettings(config: ServerConfig, env: Env, from: string): ServerSettings {
  return {
    keys: resolveKeySettings(config, env, from),
    allowedHosts: list(env('PERDURE_ALLOWED_HOSTS'), 'PERDURE_ALLOWED_HOSTS') ?? strings(config.allowedHosts, `allowedHosts in ${from}`),
    limits: limits(config, env, from),
    showStackPaths:
      bool(env('PERDURE_SHOW_STACK_PATHS'), 'PERDURE_SHOW_STACK_PATHS') ??
      bool(config.showStackPaths, `showStackPaths in ${from}`) ??
      false,
  };
}

function resolveKeySettings(config: ServerConfig, env: Env, from: string): HostKeys {
  const master =
    oneOf(key(env('PERDURE_MASTER_KEY'), 'PERDURE_MASTER_KEY'), key(env('PERDURE_HOST_KEY'), 'PERDURE_HOST_KEY'), 'PERDURE_HOST_KEY') ??
    oneOf(key(config.masterKey, `masterKey in ${from}`), key(config.hostKey, `hostKey in ${from}`), `hostKey in ${from}`);
  const system = key(env('PERDURE_SYSTEM_KEY'), 'PERDURE_SYSTEM_KEY') ?? key(config.systemKey, `systemKey in ${from}`);
  const functionKeys =
    list(env('PERDURE_FUNCTION_KEYS'), 'PERDURE_FUNCTION_KEYS')?.map((k) => key(k, 'PERDURE_FUNCTION_KEYS')!) ??
    strings(config.functionKeys, `functionKeys in ${from}`)?.map((k) => key(k, `functionKeys in ${from}`)!);
  return {
    ...(master === undefined ? {} : { masterKey: master }),
    ...(system === undefined ? {} : { systemKey: system }),
    ...(functionKeys === undefined ? {} : { functionKeys }),
  };
}

/** The master key, given under its new and its old name: the same value twice is fine, two values are not. */
function oneOf(current: string | undefined, legacy: string | undefined, legacySource: string): string | undefined {
  if (current !== undefined && legacy !== undefined && current !== legacy) {
    throw new CliError(`${legacySource} is the old name of the master key and differs from it: set one of them.`);
  }
  return current ?? legacy;
}

function key(value: unknown, source: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return validateKey(typeof value === 'string' ? value.trim() : value, source);
  } catch (error) {
    if (error instanceof ValidationError) throw new CliError(`${source} ${error.reason}.`);
    throw error;
  }
}

function limits(config: ServerConfig, env: Env, from: string): Required<ServerLimits> {
  const pick = (name: keyof ServerLimits, variable: string) =>
    int(env(variable), variable) ?? (config[name] === undefined ? undefined : intValue(config[name], `${name} in ${from}`));
  const given = {
    maxConnections: pick('maxConnections', 'PERDURE_MAX_CONNECTIONS'),
    requestTimeoutMs: pick('requestTimeoutMs', 'PERDURE_REQUEST_TIMEOUT_MS'),
    headersTimeoutMs: pick('headersTimeoutMs', 'PERDURE_HEADERS_TIMEOUT_MS'),
  };
  try {
    return validateServerLimits(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
  } catch (error) {
    if (error instanceof ValidationError) throw new CliError(`${error.field}: ${error.reason}.`);
    throw error;
  }
}

function int(value: string | undefined, source: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d{1,10}\s*$/.test(value)) throw new CliError(`${source} must be a whole number (got ${JSON.stringify(value)}).`);
  return Number(value);
}

function intValue(value: unknown, source: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new CliError(`${source} must be an integer (got ${JSON.stringify(value)}).`);
  return value;
}

/** `true`/`false`, as a value or as environment text. */
export function bool(value: unknown, source: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new CliError(`${source} must be true or false (got ${JSON.stringify(value)}).`);
}

/** A comma-separated environment variable; empty items are an error, not skipped. */
function list(value: string | undefined, source: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new CliError(`${source} must be a comma-separated list with no empty items.`);
  return items;
}

function strings(value: unknown, source: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.trim() === '')) {
    throw new CliError(`${source} must be an array of non-empty strings.`);
  }
  return value as string[];
}
