// `npm run build` (and `prepack`): compiles src/ to dist/ with tsconfig.build.json, then
// makes the output usable without a TypeScript loader:
// - tsc rewrites `./x.ts` imports to `./x.js` in JavaScript but not in declarations, so the
//   declarations' relative specifiers are rewritten here, as plain `tsc` users need;
// - the dashboard's browser modules and its UI library are bundled into one hashed script in
//   dist/dashboard/assets/ (with the hashed style sheet), and the library's licences copied;
// - the CLI entry is made executable;
// - every path in package.json's exports map and bin must exist, or the build fails.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const RELATIVE_TS = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g;
for (const file of walk(dist)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(RELATIVE_TS, '$1$2.js$3');
  if (rewritten !== text) writeFileSync(file, rewritten);
}

// The dashboard's browser modules are plain JavaScript that tsc does not copy, and its UI library
// (Preact, htm) is a development dependency: both go into one bundle in dist/ (the compiled
// dashboard/assets.js does it), so the package serves them itself, from one file.
const { writeAssets } = await import(pathToFileURL(join(dist, 'dashboard/assets.js')).href);
writeAssets(join(dist, 'dashboard/assets'), join(root, 'src/dashboard/public'));
const { writeVendorLicences } = await import(pathToFileURL(join(dist, 'dashboard/vendor.js')).href);
writeVendorLicences(join(dist, 'dashboard/vendor'));

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const bin of Object.values(pkg.bin ?? {})) chmodSync(join(root, bin), 0o755);
const missing = targets(pkg.exports)
  .concat(Object.values(pkg.bin ?? {}))
  .filter((path) => !existsSync(join(root, path)));
if (missing.length > 0) {
  console.error(`build: package.json names files the build did not produce: ${missing.join(', ')}`);
  process.exit(1);
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

function targets(exportsField) {
  if (typeof exportsField === 'string') return [exportsField];
  return Object.values(exportsField ?? {}).flatMap(targets);
}
