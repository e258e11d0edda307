/**
 * @module cli/import-module
 * Imports the user's app and config modules, TypeScript included, with no
 * TypeScript loader shipped in Perdure.
 *
 * What must hold:
 * - `.js`, `.mjs` and `.cjs` modules are imported as they are.
 * - A `.ts`, `.mts` or `.cts` module is imported directly when the running
 *   Node strips types itself (`process.features.typescript`, Node 22.18 and
 *   later, 23.6 and later); otherwise through tsx, if the user installed it
 *   (an optional peer dependency), resolved from the module's own folder first;
 *   otherwise it is a CliError naming both ways out.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from './cli-error.ts';

const TYPESCRIPT_EXTENSION = /\.[cm]?ts$/i;
let tsxRegistered = false;

export async function importModule(path: string): Promise<unknown> {
  if (TYPESCRIPT_EXTENSION.test(path) && !nodeStripsTypes() && !runsUnderTsx()) await registerTsx(path);
  return import(pathToFileURL(path).href);
}

function nodeStripsTypes(): boolean {
  const features = process.features as { readonly typescript?: string | false };
  return Boolean(features.typescript);
}

/** Started as `tsx perdure …` or `node --import tsx …`: TypeScript already loads. */
function runsUnderTsx(): boolean {
  return process.execArgv.some((arg) => /[\\/]tsx[\\/]|^tsx$/.test(arg));
}

async function registerTsx(path: string): Promise<void> {
  if (tsxRegistered) return;
  const api = resolveTsx(path);
  if (api === undefined) {
    throw new CliError(
      `Cannot load ${path}: Node ${process.version} cannot run TypeScript by itself. ` +
        'Run it on Node 22.18 or later (which strips types), or install tsx in your project (npm install --save-dev tsx).',
    );
  }
  const { register } = (await import(pathToFileURL(api).href)) as { register: () => unknown };
  register();
  tsxRegistered = true;
}

function esmApiEntry(manifest: string): string {
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> };
  const entry = exports?.['./esm/api']?.import?.default;
  if (entry === undefined) throw new CliError(`The tsx installed at ${dirname(manifest)} has no ESM API; install tsx 4 or later.`);
  return entry;
}

/**
 * tsx's ESM API, from the user's project first (where a peer dependency is
 * installed), then from Perdure's. Found through tsx's package.json, since
 * `require.resolve` would pick its CommonJS build.
 */
function resolveTsx(path: string): string | undefined {
  for (const base of [path, import.meta.url]) {
    try {
      const manifest = createRequire(base).resolve('tsx/package.json');
      return join(dirname(manifest), esmApiEntry(manifest));
    } catch (error) {
      if (error instanceof CliError) throw error;
      // Not installed where this base looks; try the next one.
    }
  }
  return undefined;
}
