/**
 * The dashboard's one-file bundle without a browser: module-rewrite.ts on
 * each import and export form it claims to read, bundle.ts putting modules
 * together in dependency order (and running them, in a vm context), and the
 * refusals: an import of a name not exported, a missing module, a cycle, a
 * mutable export, a statement it cannot read. Then the real bundle: built
 * from src/dashboard/public/, it compiles and holds every module once.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { buildAssets } from '../../src/dashboard/assets.ts';
import { bundleModules } from '../../src/dashboard/bundle.ts';
import { ModuleRewriteError, rewriteModule } from '../../src/dashboard/module-rewrite.ts';

const PUBLIC_DIR = new URL('../../src/dashboard/public/', import.meta.url).pathname;

/** A module source over a map of URL paths to texts. */
const modules =
  (files: Record<string, string>) =>
  (path: string): string | undefined =>
    files[path];

/** Runs a bundle whose entry sets the global `result`, and answers it. */
function run(bundle: string): unknown {
  const sandbox: { result?: unknown } = {};
  runInNewContext(bundle, sandbox);
  return JSON.parse(JSON.stringify(sandbox.result)); // out of the other realm, for deepEqual
}

describe('module-rewrite', () => {
  it('reads named, renamed, default and namespace imports, and leaves the rest of the text alone', () => {
    const text = [
      "import { a, b as c } from './x.js';",
      'import d from "/v/d.js"',
      "import * as ns from './n.js';",
      'const keep = "import { not } from \'a string\'";',
    ].join('\n');
    const rewritten = rewriteModule('/m.js', text);
    assert.deepEqual(
      rewritten.imports.map((i) => [i.specifier, [...i.bindings]]),
      [
        [
          './x.js',
          [
            ['a', 'a'],
            ['c', 'b'],
          ],
        ],
        ['/v/d.js', [['d', 'default']]],
        ['./n.js', [['ns', '*']]],
      ],
    );
    assert.doesNotMatch(rewritten.body, /from '\.\/x\.js'|from "\/v\/d\.js"|from '\.\/n\.js'/);
    assert.ok(rewritten.body.includes('const keep = "import { not } from \'a string\'";'));
  });

  it('reads declarations, export lists (minified too) and a default export', () => {
    const own = rewriteModule(
      '/own.js',
      ['export function f() {}', 'export async function g() {}', 'export class K {}', 'export const v = 1;'].join('\n'),
    );
    assert.deepEqual([...own.exports.keys()], ['f', 'g', 'K', 'v']);
    assert.doesNotMatch(own.body, /export/);
    const minified = rewriteModule(
      '/min.js',
      'var t=1,q=2;function x(){};export{t as options,q,x as h};\n//# sourceMappingURL=min.js.map\n',
    );
    assert.deepEqual(
      [...minified.exports],
      [
        ['options', 't'],
        ['q', 'q'],
        ['h', 'x'],
      ],
    );
    assert.doesNotMatch(minified.body, /export|sourceMappingURL/);
    const fallback = rewriteModule('/d.js', 'var n=1;export default function(s){return s+n}');
    assert.deepEqual([...fallback.exports.keys()], ['default']);
  });

  it('refuses a mutable export and an export named twice', () => {
    assert.throws(() => rewriteModule('/m.js', 'export let x = 1;'), ModuleRewriteError);
    assert.throws(() => rewriteModule('/m.js', 'export var x = 1;'), ModuleRewriteError);
    assert.throws(() => rewriteModule('/m.js', 'const x = 1;\nexport const y = 2;\nexport { x as y };'), /exports 'y' twice/);
  });
});

describe('bundleModules', () => {
  it('runs every module once, after the modules it imports, with the names it imported', () => {
    const bundle = bundleModules(
      '/a/app.js',
      modules({
        '/a/app.js':
          "import { twice, count } from './lib.js';\nimport base from '/v/base.js';\nimport * as v from '/v/base.js';\nresult = [twice(base), v.default, count()];",
        '/a/lib.js':
          "import { base as b } from '/v/base.js';\nlet calls = 0;\nexport function twice(n) { return 2 * n + b - b; }\nexport const count = () => ++calls;",
        '/v/base.js': 'var base=21;export{base};export default base',
      }),
    );
    assert.deepEqual(run(bundle), [42, 21, 1]);
    assert.equal(bundle.match(/\/\/ \/v\/base\.js\n/g)?.length, 1, 'a module imported twice is in the bundle once');
    assert.ok(bundle.indexOf('// /v/base.js') < bundle.indexOf('// /a/lib.js'), 'dependencies first');
    assert.ok(bundle.indexOf('// /a/lib.js') < bundle.indexOf('// /a/app.js'));
  });

  it('refuses an unknown name, a missing module, a cycle, and a statement it cannot read', () => {
    const refuse = (files: Record<string, string>, message: RegExp) =>
      assert.throws(
        () => bundleModules('/app.js', modules(files)),
        (error: unknown) => error instanceof ModuleRewriteError && message.test(error.message),
      );
    refuse(
      { '/app.js': "import { nope } from './lib.js';", '/lib.js': 'export const yes = 1;' },
      /imports 'nope', which \/lib\.js does not export/,
    );
    refuse({ '/app.js': "import { x } from './gone.js';" }, /imports \/gone\.js, which does not exist/);
    refuse({ '/app.js': "import { b } from './b.js';", '/b.js': "import { a } from './app.js';\nexport const b = 1;" }, /in a cycle/);
    refuse({ '/app.js': "export * from './lib.js';", '/lib.js': '' }, /does not compile/);
    refuse({ '/app.js': "import d, { x } from './lib.js';", '/lib.js': 'export default 1;' }, /does not compile/);
    refuse({ '/app.js': "const { a } = await import('./lib.js');" }, /does not compile/);
  });
});

describe('the dashboard bundle', () => {
  it('holds every browser module in public/ and the UI library, each once, and compiles', () => {
    const { script, style } = buildAssets(PUBLIC_DIR);
    for (const name of readdirSync(PUBLIC_DIR).filter((n) => n.endsWith('.js'))) {
      assert.equal(script.text.split(`// /dashboard/assets/${name}\n`).length, 2, `${name} is in the bundle once`);
    }
    for (const name of ['preact.js', 'hooks.js', 'htm.js']) assert.ok(script.text.includes(`// /dashboard/vendor/${name}\n`), name);
    assert.ok(script.text.startsWith('/*! Perdure dashboard'), 'the licences are named at the top');
    assert.match(script.name, /^app\.[0-9a-f]{12}\.js$/);
    assert.match(style.name, /^style\.[0-9a-f]{12}\.css$/);
    assert.equal(buildAssets(PUBLIC_DIR).script.name, script.name, 'the same sources give the same name');
  });
});
