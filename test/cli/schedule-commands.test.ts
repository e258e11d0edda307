/**
 * @module test/cli/schedule-commands.test
 * `perdure schedule …` and `perdure instance release-id` against a real
 * server process (`--url`) and straight on its store (`--store`), on SQLite
 * and PostgreSQL: create, describe, update, pause, unpause, trigger, list,
 * delete give the same descriptions through both targets, and bad input
 * exits with the documented code and one line naming what is wrong (the
 * real binary checks the codes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '../helpers/postgres.ts';
import { spawnCli, startServer, type ServerProcess } from '../helpers/server-process.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { cli } from './operator-helpers.ts';

const TEST_APP = new URL('../http/fixtures/test-app.ts', import.meta.url).pathname;

/** Every operation once through `a` and read back through `b`, so both targets are seen to agree. */
async function exerciseSchedules(a: string[], b: string[], prefix: string): Promise<void> {
  const name = `${prefix}-nightly`;
  const created = await cli([
    'schedule',
    'create',
    name,
    '--cron',
    '0 3 * * *',
    '--time-zone',
    'Europe/Berlin',
    '--orchestration',
    'Echo',
    '--input',
    '{"n":1}',
    '--paused',
    '--json',
    ...a,
  ]);
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual([created.json().paused, created.json().definition.timeZone, created.json().nextFireTimes], [true, 'Europe/Berlin', []]);
  const taken = await cli(['schedule', 'create', name, '--every-ms', '1000', '--orchestration', 'Echo', ...b]);
  assert.deepEqual([taken.code, taken.stderr], [4, `perdure: A schedule named '${name}' already exists.\n`]);
  const unpaused = await cli(['schedule', 'unpause', name, '--json', ...b]);
  assert.equal(unpaused.json().nextFireTimes.length, 5);
  const updated = await cli(['schedule', 'update', name, '--overlap', 'bufferOne', '--json', ...a]);
  assert.deepEqual([updated.json().definition.overlap, updated.json().definition.cron], ['bufferOne', '0 3 * * *']);
  assert.equal((await cli(['schedule', 'pause', name, ...b])).stdout, `Schedule '${name}' paused.\n`);
  assert.equal((await cli(['schedule', 'trigger', name, ...a])).code, 0);
  const viaA = await cli(['schedule', 'describe', name, '--json', ...a]);
  const viaB = await cli(['schedule', 'describe', name, '--json', ...b]);
  assert.equal(viaA.stdout, viaB.stdout, 'both targets describe alike');
  assert.match((await cli(['schedule', 'describe', name, ...b])).stdout, /Overlap:\s+bufferOne/);
  const listed = await cli(['schedule', 'list', ...a]);
  assert.match(listed.stdout, new RegExp(`${name}\\s+0 3 \\* \\* \\*\\s+Echo\\s+paused`));
  const bad = await cli(['schedule', 'update', name, '--overlap', 'sometimes', ...b]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /overlap/);
  assert.equal((await cli(['schedule', 'update', name, '--every-ms', 'soon', ...a])).code, 2);
  assert.deepEqual(await cli(['schedule', 'delete', name, '--json', ...b]).then((r) => r.json()), { name, deleted: true });
  const gone = await cli(['schedule', 'describe', name, ...a]);
  assert.deepEqual([gone.code, gone.stderr], [3, `perdure: No schedule named '${name}' was found.\n`]);
}

/** `instance release-id` with no tombstone exits 3; a default start's purged ID is free (it keeps no tombstone). */
async function exerciseReleaseId(a: string[], b: string[], id: string): Promise<void> {
  assert.equal((await cli(['instance', 'release-id', id, ...a])).code, 3, 'no tombstone yet');
  assert.equal((await cli(['instance', 'start', 'Echo', '--id', id, '--input', '1', ...a])).code, 0);
  assert.equal((await cli(['instance', 'wait', id, ...b])).code, 0);
  assert.equal((await cli(['instance', 'purge', id, ...b])).code, 0);
  // The CLI's start has no reuse flag: a default start reuses any finished status, so it frees the ID.
  const again = await cli(['instance', 'start', 'Echo', '--id', id, '--json', ...a]);
  assert.equal(again.json().outcome, 'created');
}

describe('perdure schedule: both targets on one SQLite store', () => {
  const dir = createTempDir('perdure-cli-schedules-');
  const storeUrl = `sqlite:${dir.file('store.db')}`;
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ app: TEST_APP, store: storeUrl });
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
    dir[Symbol.dispose]();
  });

  it('create, update, pause, unpause, trigger, describe, list, delete; taken 4, unknown 3, bad 2', async () => {
    await exerciseSchedules(['--url', server.url], ['--store', storeUrl], 'sq');
    await exerciseReleaseId(['--url', server.url], ['--store', storeUrl], 'sq-once');
  });

  it('the real binary: exit codes and one-line messages', async () => {
    const missing = spawnCli(['schedule', 'describe', 'nobody', '--url', server.url]);
    assert.equal((await missing.exited).code, 3, missing.output());
    const incomplete = spawnCli(['schedule', 'create', 'x', '--orchestration', 'Echo', '--store', storeUrl]);
    assert.equal((await incomplete.exited).code, 2, incomplete.output());
    assert.match(incomplete.output(), /^perdure: .*(cron|everyMs)/m);
    assert.doesNotMatch(incomplete.output(), /\n\s+at /, 'no stack');
    const release = spawnCli(['instance', 'release-id', 'nobody', '--store', storeUrl]);
    assert.equal((await release.exited).code, 3, release.output());
  });
});

describe('perdure schedule: both targets on one PostgreSQL store', () => {
  let schema: TestSchema;
  let server: ServerProcess;
  before(async () => {
    schema = await createTestSchema('cli_sched');
    server = await startServer({ app: TEST_APP, store: schema.url });
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
    await schema?.drop();
  });

  it('the same operations through the server and straight on PostgreSQL', async () => {
    await exerciseSchedules(['--store', schema.url], ['--url', server.url], 'pg');
    await exerciseReleaseId(['--store', schema.url], ['--url', server.url], 'pg-once');
  });
});
