/**
 * @module examples/library.test
 * The README's embedded example runs as written: a program in a fresh
 * working directory creates its SQLite file, completes the orchestration and
 * prints the output; run again, it replaces the finished instance.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SOURCE_NODE_ARGS, sourceNodeEnv } from '../test/helpers/source-node.ts';
import { createTempDir } from '../test/helpers/temp-dir.ts';

const run = promisify(execFile);
const program = fileURLToPath(new URL('./library.ts', import.meta.url));

describe('examples/library.ts (the README program)', () => {
  it('prints the greetings from a new store, and again on a second run', async () => {
    using dir = createTempDir('perdure-library-');
    for (let round = 0; round < 2; round++) {
      const { stdout } = await run(process.execPath, [...SOURCE_NODE_ARGS, program], {
        cwd: dir.path,
        env: sourceNodeEnv(),
        timeout: 60_000,
      });
      assert.equal(stdout.trim(), "[ 'Hello Tokyo!', 'Hello Seattle!' ]");
    }
    assert.ok(existsSync(dir.file('.perdure/perdure.db')), 'the store file is created in the working directory');
  });
});
