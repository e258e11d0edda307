/**
 * @module test/cli/engine-bootstrap.test
 * The engine thread's bootstrap (src/cli/engine-bootstrap.ts): which
 * preloads it runs again in the thread, in which order, and when it
 * registers tsx first. The process-level behaviour is in engine-thread.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { engineBootstrap, importPreloads, nodeOptions } from '../../src/cli/engine-bootstrap.ts';

describe('engine thread bootstrap', () => {
  it('finds --import preloads in NODE_OPTIONS first, then on the command line, in order, in both spellings', () => {
    const options = nodeOptions({ NODE_OPTIONS: '--max-old-space-size=512 --import=./a.mjs' }, [
      '--import',
      'b',
      '--cpu-prof',
      '--import=c',
    ]);
    assert.deepEqual(importPreloads(options), ['./a.mjs', 'b', 'c']);
    assert.deepEqual(importPreloads(['--import']), [], 'a dangling flag names nothing');
  });

  it("imports the preloads, resolved as the main thread resolved them, before the engine; tsx's own preload is replaced by its API", () => {
    const source = engineBootstrap('file:///app/engine-thread.js', ['--import', './tracing.mjs', '--import', 'file:///x/y.mjs'], '/work');
    const tracing = source.indexOf(pathToFileURL('/work/tracing.mjs').href);
    const other = source.indexOf('file:///x/y.mjs');
    const engine = source.indexOf('file:///app/engine-thread.js');
    assert.ok(tracing > 0 && tracing < other && other < engine, source);
    assert.doesNotMatch(source, /tsx/, 'nothing TypeScript: no tsx');

    const fromSources = engineBootstrap(
      'file:///app/engine-thread.ts',
      ['--import', 'file:///w/node_modules/tsx/dist/loader.mjs'],
      '/work',
    );
    assert.doesNotMatch(fromSources, /loader\.mjs/, "tsx's preload registers nothing in a worker");
    assert.match(fromSources, /tsx[\\/]dist[\\/]cjs[\\/]api/);
    assert.match(fromSources, /tsx[\\/]dist[\\/]esm[\\/]api/);
    assert.ok(fromSources.indexOf('esm') < fromSources.indexOf('engine-thread.ts'), 'tsx before the engine');
  });
});
