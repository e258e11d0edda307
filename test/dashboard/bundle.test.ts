/**
 * The dashboard's one-file bundle without a browser: esbuild (bundle.ts)
 * puts every browser module in src/dashboard/public/ and the UI library into
 * one script that names the licences at the top, has no import left, and
 * runs; the hashed names follow the content; a module that imports something
 * missing fails the build with the module named.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildAssets } from '../../src/dashboard/assets.ts';
import { bundleDashboard } from '../../src/dashboard/bundle.ts';

const PUBLIC_DIR = new URL('../../src/dashboard/public/', import.meta.url).pathname;

describe('the dashboard bundle', () => {
  it('holds every browser module in public/ and the UI library, as one script with no imports left', () => {
    const { script, style } = buildAssets(PUBLIC_DIR);
    for (const name of readdirSync(PUBLIC_DIR).filter((n) => n.endsWith('.js'))) {
      assert.ok(script.text.includes(`public/${name}`), `${name} is in the bundle`);
    }
    for (const library of [
      'node_modules/preact/dist/preact.module.js',
      'node_modules/preact/hooks/dist/hooks.module.js',
      'node_modules/htm/',
    ]) {
      assert.ok(script.text.includes(library), `${library} is in the bundle`);
    }
    assert.doesNotMatch(script.text, /^\s*(import|export)\s/m, 'one classic script: no module statement is left');
    assert.ok(script.text.startsWith('/*! Perdure dashboard'), 'the licences are named at the top');
    assert.match(script.name, /^app\.[0-9a-f]{12}\.js$/);
    assert.match(style.name, /^style\.[0-9a-f]{12}\.css$/);
    assert.equal(buildAssets(PUBLIC_DIR).script.name, script.name, 'the same sources give the same name');
  });

  it('a changed module gives a new name; a missing import fails the build naming the module', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perdure-bundle-'));
    try {
      for (const name of readdirSync(PUBLIC_DIR)) writeFileSync(join(dir, name), readFileSync(join(PUBLIC_DIR, name)));
      const before = buildAssets(dir).script.name;
      writeFileSync(join(dir, 'app.js'), `${readFileSync(join(dir, 'app.js'), 'utf8')}\nconsole.debug('changed');\n`);
      assert.notEqual(buildAssets(dir).script.name, before);
      writeFileSync(join(dir, 'app.js'), `import { gone } from './gone.js';\nconsole.log(gone);\n`);
      assert.throws(() => bundleDashboard(dir), /gone\.js/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
