/**
 * @module cli/functions-app
 * `perdure start <dir>` for an Azure Functions Node.js app as it stands: a
 * folder with `host.json` and a `package.json` whose `main` is a file glob.
 *
 * What must hold:
 * - Every file `main` matches is imported, ES module or CommonJS, in sorted
 *   order, after `durable-functions` and `@azure/functions` are redirected to
 *   Perdure's modules; the app's files are never changed.
 * - `local.settings.json`'s `Values` fill the environment without overriding
 *   a variable that is already set, before any of the app's code runs.
 * - Every problem with the folder (no host.json, no main, a glob matching
 *   nothing, unreadable JSON) is a CliError naming the file.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app as defaultApp, type FunctionApp } from '../runtime/app.ts';
import { timerFunctions, type TimerFunction } from '../azure-functions/registry.ts';
import { CliError } from './cli-error.ts';
import { expandGlob, isGlob } from './glob.ts';
import { redirectFunctionsPackages } from './module-redirect.ts';

export interface FunctionsApp {
  readonly app: FunctionApp;
  readonly timers: readonly TimerFunction[];
  /** host.json's `extensions.http.routePrefix` (undefined: the default, `api`). */
  readonly routePrefix: string | undefined;
  readonly files: readonly string[];
}

/** The folder, if `path` is an Azure Functions app folder; a folder without host.json is a mistake worth naming. */
export function functionsAppDir(path: string | undefined, cwd: string): string | undefined {
  if (path === undefined) return undefined;
  const dir = resolve(cwd, path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  if (!existsSync(join(dir, 'host.json'))) {
    throw new CliError(`${dir} is a folder without host.json: give an app module, or the folder of an Azure Functions app.`);
  }
  return dir;
}

/** Copies `Values` from local.settings.json into `env`, leaving variables that are already set alone. */
export function loadLocalSettings(dir: string, env: NodeJS.ProcessEnv = process.env): void {
  const path = join(dir, 'local.settings.json');
  if (!existsSync(path)) return;
  const settings = readJson(path) as { Values?: unknown };
  const values = settings?.Values;
  if (values === undefined) return;
  if (values === null || typeof values !== 'object' || Array.isArray(values)) throw new CliError(`${path}: "Values" must be an object.`);
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    if (env[key] === undefined && value !== null && value !== undefined)
      env[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
}

export async function loadFunctionsApp(dir: string): Promise<FunctionsApp> {
  const routePrefix = readRoutePrefix(join(dir, 'host.json'));
  const files = appFiles(dir);
  await redirectFunctionsPackages();
  for (const file of files) await import(pathToFileURL(file).href);
  const timers = timerFunctions();
  if (defaultApp.functions.length === 0 && timers.length === 0) {
    throw new CliError(`${dir}: the files matched by package.json "main" registered no functions.`);
  }
  return { app: defaultApp, timers, routePrefix, files };
}

function appFiles(dir: string): string[] {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) throw new CliError(`${dir} has no package.json: its "main" names the function files to load.`);
  const main = (readJson(manifest) as { main?: unknown }).main;
  if (typeof main !== 'string' || main.trim() === '') {
    throw new CliError(`${manifest} has no "main": set it to the glob of your function files, e.g. "src/functions/*.js".`);
  }
  if (!isGlob(main)) {
    const file = resolve(dir, main);
    if (!existsSync(file)) throw new CliError(`${manifest}: "main" names ${file}, which does not exist (build the app first?).`);
    return [file];
  }
  const files = expandGlob(dir, main);
  if (files.length === 0) throw new CliError(`${manifest}: "main" (${main}) matches no file under ${dir} (build the app first?).`);
  return files;
}

function readRoutePrefix(path: string): string | undefined {
  const host = readJson(path) as { extensions?: { http?: { routePrefix?: unknown } } };
  const prefix = host?.extensions?.http?.routePrefix;
  if (prefix === undefined) return undefined;
  if (typeof prefix !== 'string') throw new CliError(`${path}: extensions.http.routePrefix must be a string.`);
  return prefix;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new CliError(`Cannot read ${path}: ${(error as Error).message}`);
  }
}
