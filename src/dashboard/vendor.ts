/**
 * @module dashboard/vendor
 * The UI library the dashboard's pages load: Preact, its hooks and htm, as
 * their own published ES module builds. They are not committed: the build
 * (scripts/build.mjs) copies them from node_modules into
 * `dist/dashboard/vendor/` with their licences, so the package serves them
 * itself (no CDN, works offline) and users run no build step. Run from
 * source (tsx), they are read from node_modules, where the development
 * dependencies put them.
 *
 * What must hold:
 * - The browser gets exactly the published files, except that the hooks'
 *   bare `"preact"` import is pointed at the served `./preact.js`, since
 *   browsers resolve no bare specifiers and the CSP allows no import map.
 * - Only the files named here are served.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface VendorFile {
  /** The package, and the file's path inside it. */
  readonly from: readonly [string, string];
}

export const VENDOR_FILES: Readonly<Record<string, VendorFile>> = {
  'preact.js': { from: ['preact', 'dist/preact.module.js'] },
  'hooks.js': { from: ['preact', 'hooks/dist/hooks.module.js'] },
  'htm.js': { from: ['htm', 'dist/htm.module.js'] },
  'preact-LICENSE.txt': { from: ['preact', 'LICENSE'] },
  'htm-LICENSE.txt': { from: ['htm', 'LICENSE'] },
};

const BUILT_DIR = fileURLToPath(new URL('./vendor/', import.meta.url));
const cache = new Map<string, string>();

/** A vendor file's text as served, or undefined if it is not one of VENDOR_FILES. */
export function readVendorFile(name: string): string | undefined {
  const file = Object.hasOwn(VENDOR_FILES, name) ? VENDOR_FILES[name] : undefined;
  if (file === undefined) return undefined;
  let text = cache.get(name);
  if (text === undefined) {
    const built = join(BUILT_DIR, name);
    text = existsSync(built) ? readFileSync(built, 'utf8') : fromPackage(file);
    cache.set(name, text);
  }
  return text;
}

/** Copies every vendor file, ready to serve, into `dir` (the build's `dist/dashboard/vendor/`). */
export function writeVendorFiles(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, file] of Object.entries(VENDOR_FILES)) writeFileSync(join(dir, name), fromPackage(file));
}

function fromPackage({ from: [pkg, path] }: VendorFile): string {
  // A package's main entry sits in its `dist/`; its root is one level up (`exports` hides package.json).
  const root = dirname(dirname(createRequire(import.meta.url).resolve(pkg)));
  const text = readFileSync(join(root, path), 'utf8');
  return text.replace(/from\s*(["'])preact\1/g, 'from"./preact.js"');
}
