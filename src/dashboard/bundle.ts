/**
 * @module dashboard/bundle
 * Puts the dashboard's browser modules and its UI library (Preact, its
 * hooks, htm: development dependencies) into one script with esbuild, so a
 * fresh page loads one file instead of fifteen modules, which arrived about
 * 300 ms after the page (decision 0036).
 *
 * esbuild is a development dependency: the build (scripts/build.mjs) bundles
 * once and the package serves the result; a server run from source bundles
 * in memory. It is loaded only here, on demand, so an installed package
 * never needs it.
 *
 * What must hold: the script is the modules' code as written (no
 * minification: a user may read what the page runs), in one IIFE, for the
 * browsers the CSP and the modules already require (ES2022); anything esbuild
 * cannot resolve or parse fails the build with its own message.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Esbuild from 'esbuild';

/** The one script that runs `publicDir/app.js` and everything it imports, with `header` (a licence comment) first. */
export function bundleDashboard(publicDir: string, header = ''): string {
  const require = createRequire(import.meta.url);
  // eslint-disable-next-line import-x/no-extraneous-dependencies -- a development dependency, loaded only when bundling (never in an installed package)
  const esbuild = require('esbuild') as typeof Esbuild;
  // The library resolves from Perdure's own node_modules, wherever the modules being bundled live.
  const modules = dirname(dirname(dirname(require.resolve('preact'))));
  const result = esbuild.buildSync({
    nodePaths: [modules],
    entryPoints: [join(publicDir, 'app.js')],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    charset: 'utf8',
    legalComments: 'inline',
    banner: { js: header.trimEnd() },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
