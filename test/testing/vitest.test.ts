/**
 * @module test/testing/vitest.test
 * The kit works under Vitest as under node:test: runs `npx vitest run` on
 * test/testing/kit.vitest.ts (a file the node:test glob does not pick up) in
 * a child process, with a config limited to that file, and checks that
 * Vitest found and passed every test in it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('perdure/testing under Vitest', () => {
  it('passes its Vitest file', async () => {
    const { stdout } = await run('npx', ['vitest', 'run', '--config', 'test/testing/vitest.config.ts', 'test/testing/kit.vitest.ts'], {
      cwd: root,
      env: { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: 120_000,
    });
    assert.match(stdout, /Test Files\s+1 passed \(1\)/, stdout);
    assert.match(stdout, /Tests\s+2 passed \(2\)/, stdout);
  });
});
