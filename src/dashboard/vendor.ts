/**
 * @module dashboard/vendor
 * The UI library the dashboard's pages run on: Preact, its hooks and htm,
 * as their own published ES module builds, and their licences. They are
 * development dependencies and are not committed: the build
 * (scripts/build.mjs) bundles the modules into the dashboard's one script
 * (bundle.ts) and copies the licences into `dist/dashboard/vendor/`, so the
 * package serves everything itself (no CDN, works offline) and users run no
 * build step. Run from source (tsx), both are read from node_modules.
 *
 * What must hold:
 * - The bundle gets exactly the published files, except that the hooks'
 *   bare `"preact"` import is pointed at `./preact.js`, the module's URL in
 *   the bundle's module graph (as it was when the modules were served one by one).
 * - Only the licence files named here are served.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package, and the file's path inside it. */
type PackageFile = readonly [string, string];

export const VENDOR_MODULES: Readonly<Record<string, PackageFile>> = {
  'preact.js': ['preact', 'dist/preact.module.js'],
  'hooks.js': ['preact', 'hooks/dist/hooks.module.js'],
  'htm.js': ['htm', 'dist/htm.module.js'],
};

export const VENDOR_LICENCES: Readonly<Record<string, PackageFile>> = {
  'preact-LICENSE.txt': ['preact', 'LICENSE'],
  'htm-LICENSE.txt': ['htm', 'LICENSE'],
};

const BUILT_DIR = fileURLToPath(new URL('./vendor/', import.meta.url));
const cache = new Map<string, string>();

/** A vendor module's text, ready to bundle, or undefined if it is not one of VENDOR_MODULES. */
export function readVendorModule(name: string): string | undefined {
  const file = Object.hasOwn(VENDOR_MODULES, name) ? VENDOR_MODULES[name] : undefined;
  return file === undefined ? undefined : fromPackage(file).replace(/from\s*(["'])preact\1/g, 'from"./preact.js"');
}

/** A licence's text as served, or undefined if it is not one of VENDOR_LICENCES. */
export function readVendorLicence(name: string): string | undefined {
  const file = Object.hasOwn(VENDOR_LICENCES, name) ? VENDOR_LICENCES[name] : undefined;
  if (file === undefined) return undefined;
  let text = cache.get(name);
  if (text === undefined) {
    const built = join(BUILT_DIR, name);
    text = existsSync(built) ? readFileSync(built, 'utf8') : fromPackage(file);
    cache.set(name, text);
  }
  return text;
}

/** Copies the licences into `dir` (the build's `dist/dashboard/vendor/`). */
export function writeVendorLicences(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, file] of Object.entries(VENDOR_LICENCES)) writeFileSync(join(dir, name), fromPackage(file));
}

function fromPackage([pkg, path]: PackageFile): string {
  // A package's main entry sits in its `dist/`; its root is one level up (`exports` hides package.json).
  const root = dirname(dirname(createRequire(import.meta.url).resolve(pkg)));
  return readFileSync(join(root, path), 'utf8');
}
