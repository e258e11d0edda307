/**
 * @module test/cli/store-faults.test
 * `perdure start` on a store it cannot use refuses to start: exit code 1 and
 * one line on stderr naming the file and the cause, never a stack, never
 * "cannot listen", and never a host that comes up and then fails every write.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/open-store.ts';
import { EXAMPLE_APP, spawnCli } from '../helpers/server-process.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { mountTmpfs } from '../helpers/tmpfs.ts';

async function refusesToStart(path: string, cause: RegExp): Promise<void> {
  const cli = spawnCli(['start', EXAMPLE_APP, '--port', '0', '--store', `sqlite:${path}`]);
  const exit = await cli.exited;
  assert.equal(exit.code, 1, cli.output());
  const lines = cli.stderr().trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${cli.stderr()}`);
  assert.match(lines[0]!, /^perdure: /);
  assert.ok(lines[0]!.includes(path), `names the file: ${lines[0]}`);
  assert.match(lines[0]!, cause);
  assert.doesNotMatch(cli.output(), /Listening on|cannot listen/);
}

async function storeWithInstances(path: string): Promise<void> {
  const store = await openStore(`sqlite:${path}`);
  await store.createInstances(
    Array.from({ length: 100 }, (_, i) => ({
      instanceId: `i${i}`,
      name: 'HelloSequence',
      executionId: `e${i}`,
      input: 'x'.repeat(300),
      onConflict: 'reject' as const,
      reuseStatuses: [],
      now: Date.now(),
    })),
  );
  await store.close();
}

describe('perdure start on a store it cannot use', () => {
  it('refuses a zero-byte store file', async () => {
    using dir = createTempDir();
    const path = dir.file('perdure.db');
    writeFileSync(path, '');
    await refusesToStart(path, /empty \(0 bytes\)/);
    assert.equal(statSync(path).size, 0, 'the file is left for the operator');
  });

  it('refuses a corrupt store file', async () => {
    using dir = createTempDir();
    const path = dir.file('perdure.db');
    await storeWithInstances(path);
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(statSync(path).size - 4096, 0x33), 0, undefined, 4096);
    closeSync(fd);
    await refusesToStart(path, /corrupt/);
  });

  it('refuses a store on a read-only file system', async (t) => {
    const mounted = mountTmpfs(4 * 1024 * 1024);
    if (typeof mounted === 'string') return t.skip(mounted);
    using fs = mounted;
    const path = fs.file('perdure.db');
    await storeWithInstances(path);
    fs.readOnly();
    await refusesToStart(path, /read-only/);
  });

  it('refuses a store whose directory cannot be created, naming it rather than "cannot listen"', async (t) => {
    const mounted = mountTmpfs(1024 * 1024);
    if (typeof mounted === 'string') return t.skip(mounted);
    using fs = mounted;
    fs.readOnly();
    await refusesToStart(fs.file('data/perdure.db'), /read-only/);
  });
});
