/**
 * @module cli/module-redirect
 * Makes an Azure Functions app's `durable-functions` and `@azure/functions`
 * resolve to Perdure's modules, whether the app imports or requires them and
 * whether or not the real packages are installed beside it.
 *
 * - ES modules: a `module.register` resolve hook (Node 20.6+). The hook is a
 *   few lines passed as a `data:` URL, so it needs no file of its own and no
 *   TypeScript loader in the hooks thread.
 * - CommonJS: `Module._load` answers `require()` of the two names with the
 *   namespaces this process already imported. `module.registerHooks` would be
 *   the public way, but it exists only from Node 22.15; `_load` has been the
 *   loader's entry since Node 0.x and is what require-mocking tools patch.
 *
 * What must hold:
 * - Both paths yield the very module instances the CLI uses itself (same
 *   URLs, one loader cache), so the functions an app registers are the ones
 *   the host serves.
 * - Only these two exact names are redirected; everything else resolves as usual.
 */
import Module, { register } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTENSION = extname(fileURLToPath(import.meta.url));

/** The modules an app's imports are sent to, by package name. */
export const REDIRECTED_PACKAGES: Readonly<Record<string, string>> = {
  'durable-functions': new URL(`../durable-functions/index${EXTENSION}`, import.meta.url).href,
  '@azure/functions': new URL(`../azure-functions/index${EXTENSION}`, import.meta.url).href,
};

const RESOLVE_HOOK = `
let targets = {};
export async function initialize(data) { targets = data.targets; }
export async function resolve(specifier, context, nextResolve) {
  if (Object.prototype.hasOwnProperty.call(targets, specifier)) return { url: targets[specifier], shortCircuit: true };
  return nextResolve(specifier, context);
}`;

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

let installed = false;

export async function redirectFunctionsPackages(): Promise<void> {
  if (installed) return;
  const namespaces = new Map<string, unknown>();
  for (const [name, url] of Object.entries(REDIRECTED_PACKAGES)) namespaces.set(name, await import(url));
  register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`, { data: { targets: REDIRECTED_PACKAGES } });
  const loader = Module as unknown as { _load: Load };
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    return namespaces.has(request) ? namespaces.get(request) : load.call(this, request, parent, isMain);
  };
  installed = true;
}
