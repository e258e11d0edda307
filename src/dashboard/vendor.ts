/**
 * @module dashboard/vendor
 * The licences of the UI library the dashboard's pages run on (Preact, its
 * hooks and htm). The library itself is a development dependency that
 * bundle.ts puts into the dashboard's one script; the build copies these
 * licences into `dist/dashboard/vendor/`, so the package serves everything
 * itself (no CDN, works offline). Run from source (tsx), they are read from
 * node_modules.
 *
 * What must hold: only the licence files named here are served.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package, and the file's path inside it. */
type PackageFile = readonly [string, string];

export const VENDOR_LICENCES: Readonly<Record<string, PackageFile>> = {
  'preact-LICENSE.txt': ['preact', 'LICENSE'],
  'htm-LICENSE.txt': ['htm', 'LICENSE'],
};

const BUILT_DIR = fileURLToPath(new URL('./vendor/', import.meta.url));
const cache = new Map<string, string>();

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
