/**
 * @module cli/engine-bootstrap
 * The code that starts `perdure start`'s engine thread. Node 20 runs a
 * process's `--import` preloads on the main thread only, so the bootstrap
 * imports them again in the thread first: a tracing setup given as
 * `node --import ./tracing.mjs` then registers its SDK in the engine too,
 * and a TypeScript loader (tsx) loads the engine's own sources when run from
 * them. Only then is the engine module imported.
 *
 * What must hold: preloads are imported in their command-line order, each
 * resolved as the main thread resolved it (a path against the working
 * directory, a URL as it is, a package name from Perdure's folder). When
 * the engine or a preload is TypeScript, tsx's API registers its loaders
 * (CommonJS and ESM) in the thread first (tsx's own preload registers nothing in a worker).
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Node's options from `NODE_OPTIONS` (which `process.execArgv` does not show) and then the command line. */
export function nodeOptions(env: NodeJS.ProcessEnv, execArgv: readonly string[]): string[] {
  return [...(env['NODE_OPTIONS'] ?? '').split(/\s+/).filter(Boolean), ...execArgv];
}

/** The `--import` values among `execArgv`, in order. */
export function importPreloads(execArgv: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (arg === '--import' && execArgv[i + 1] !== undefined) found.push(execArgv[++i]!);
    else if (arg.startsWith('--import=')) found.push(arg.slice('--import='.length));
  }
  return found;
}

function preloadUrl(specifier: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier)) return specifier;
  if (specifier.startsWith('.') || isAbsolute(specifier)) return pathToFileURL(resolve(cwd, specifier)).href;
  return import.meta.resolve(specifier);
}

/** The bootstrap's source, for `new Worker(source, { eval: true })`. */
export function engineBootstrap(engineUrl: string, execArgv: readonly string[], cwd: string): string {
  const all = importPreloads(execArgv).map((specifier) => preloadUrl(specifier, cwd));
  // tsx's own preload does not register its hooks in a worker: its API does, before anything TypeScript is imported.
  const preloads = all.filter((url) => !TSX_PACKAGE.test(url));
  const needsTsx = [...preloads, engineUrl].some((url) => TYPESCRIPT.test(url));
  const steps = [
    // Both of tsx's loaders, as its preload registers them: a .ts file outside a `"type": "module"` package is CommonJS to Node.
    ...(needsTsx
      ? ['cjs', 'esm'].map((kind) => `(await import(${JSON.stringify(import.meta.resolve(`tsx/${kind}/api`))})).register();`)
      : []),
    ...preloads.map((url) => `await import(${JSON.stringify(url)});`),
    `await import(${JSON.stringify(engineUrl)});`,
  ];
  // An eval'd worker runs a script, not a module: the steps run in an async function, a failure thrown to the worker.
  return `(async () => {\n${steps.join('\n')}\n})().catch((error) => { setImmediate(() => { throw error; }); });`;
}

const TSX_PACKAGE = /[\\/]node_modules[\\/]tsx[\\/]/;
const TYPESCRIPT = /\.[cm]?ts$/i;
