/**
 * @module dashboard/assets
 * The dashboard's two static files, under names that carry a hash of their
 * content: the script (every browser module and the UI library, bundled by
 * esbuild in bundle.ts) and the style sheet. A name never changes what it serves, so
 * browsers may keep them for good (`immutable`); a new version is a new name
 * in the (never cached) shell.
 *
 * Where they come from:
 * - built (`npm run build`): `writeAssets` puts them and a manifest in
 *   `dist/dashboard/assets/`, read once;
 * - from source (tsx): built in memory from `public/` and node_modules on
 *   first use, and again whenever a file in `public/` changes (its mtime),
 *   so editing the dashboard needs a reload, not a restart.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleDashboard } from './bundle.ts';

export interface Asset {
  /** The file name it is served under, hash included: `app.3f2a….js`. */
  readonly name: string;
  readonly text: string;
  readonly contentType: string;
}

export interface DashboardAssets {
  readonly script: Asset;
  readonly style: Asset;
}

export const ASSETS_PATH = '/dashboard/assets/';
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const BUILT_DIR = fileURLToPath(new URL('./assets/', import.meta.url));
const MANIFEST = 'manifest.json';
const HEADER =
  '/*! Perdure dashboard: its modules (src/dashboard/public/) and, bundled, Preact (MIT,' +
  ' /dashboard/vendor/preact-LICENSE.txt) and htm (Apache-2.0, /dashboard/vendor/htm-LICENSE.txt). */\n';

let built: DashboardAssets | undefined;
let fromSource: { readonly stamp: string; readonly assets: DashboardAssets } | undefined;

/** The assets to serve now: the built ones when there are, else the sources' (rebuilt when they change). */
export function dashboardAssets(): DashboardAssets {
  if (built !== undefined) return built;
  if (existsSync(join(BUILT_DIR, MANIFEST))) return (built = readBuilt(BUILT_DIR));
  const stamp = sourceStamp(PUBLIC_DIR);
  if (fromSource?.stamp !== stamp) fromSource = { stamp, assets: buildAssets(PUBLIC_DIR) };
  return fromSource.assets;
}

/** Bundles the modules in `publicDir` (its `app.js` and what it imports) and hashes both files. */
export function buildAssets(publicDir: string): DashboardAssets {
  return {
    script: hashed('app', 'js', bundleDashboard(publicDir, HEADER), 'text/javascript; charset=utf-8'),
    style: hashed('style', 'css', readFileSync(join(publicDir, 'style.css'), 'utf8'), 'text/css; charset=utf-8'),
  };
}

/** Writes the assets built from `publicDir` and their manifest into `dir` (the build's `dist/dashboard/assets/`). */
export function writeAssets(dir: string, publicDir: string): void {
  const assets = buildAssets(publicDir);
  mkdirSync(dir, { recursive: true });
  for (const asset of [assets.script, assets.style]) writeFileSync(join(dir, asset.name), asset.text);
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify({ script: assets.script.name, style: assets.style.name })}\n`);
}

function readBuilt(dir: string): DashboardAssets {
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { script: string; style: string };
  const read = (name: string, contentType: string): Asset => ({ name, text: readFileSync(join(dir, name), 'utf8'), contentType });
  return { script: read(manifest.script, 'text/javascript; charset=utf-8'), style: read(manifest.style, 'text/css; charset=utf-8') };
}

function hashed(stem: string, extension: string, text: string, contentType: string): Asset {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return { name: `${stem}.${hash}.${extension}`, text, contentType };
}

/** The names and modification times of the files in `dir`: changes when one is edited, added or removed. */
function sourceStamp(dir: string): string {
  return readdirSync(dir)
    .sort()
    .map((name) => `${name}:${statSync(join(dir, name)).mtimeMs}`)
    .join('|');
}
