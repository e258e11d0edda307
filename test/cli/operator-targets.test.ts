/**
 * @module test/cli/operator-targets.test
 * What the per-target suite (operator.test) does not cover: both targets
 * printing identical JSON for one store (SQLite, and PostgreSQL with a
 * server on it), the key, usage errors naming the flag (exit 2), purging in
 * slices with a progress bar, and the real binary's exit codes.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { progressBar } from '../../src/cli/progress.ts';
import { purgeInSlices } from '../../src/cli/purge-command.ts';
import { openStoreTarget } from '../../src/cli/store-target.ts';
import { createTestSchema, type TestSchema } from '../helpers/postgres.ts';
import { spawnCli, startServer, type ServerProcess } from '../helpers/server-process.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { cli, showUntil } from './operator-helpers.ts';

const TEST_APP = new URL('../http/fixtures/test-app.ts', import.meta.url).pathname;
const KEY = 'operator-targets-test-key-01234';
const finished = (s: any) => ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus);

/** Starts instances through one target and checks that both print the same JSON for list, show and history. */
async function assertSameResults(url: string[], store: string[]): Promise<void> {
  for (const [name, id] of [
    ['HelloSequence', 'same-hello'],
    ['AlwaysFails', 'same-fails'],
    ['ApprovalWorkflow', 'same-live'],
  ] as const) {
    const started = await cli(['instance', 'start', name, '--id', id, '--input', '{"a":[1,2]}', ...url]);
    assert.equal(started.code, 0, started.stderr);
  }
  await showUntil(store, 'same-hello', finished);
  await showUntil(store, 'same-fails', finished);
  await showUntil(store, 'same-live', (s) => s.runtimeStatus === 'Running');
  for (const args of [
    ['instance', 'list', '--prefix', 'same-', '--json'],
    ['instance', 'list', '--prefix', 'same-'],
    ['instance', 'show', 'same-hello', '--history', '--json'],
    ['instance', 'show', 'same-fails', '--history'],
    ['instance', 'history', 'same-fails'],
    ['instance', 'show', 'same-live', '--json'],
  ]) {
    const viaUrl = await cli([...args, ...url]);
    const viaStore = await cli([...args, ...store]);
    assert.equal(viaUrl.code, 0, viaUrl.stderr);
    assert.equal(viaStore.stdout, viaUrl.stdout, args.join(' '));
  }
  const failed = (await cli(['instance', 'show', 'same-fails', '--json', ...store])).json();
  assert.equal(failed.failureDetails.message, 'this orchestration always fails');
  assert.doesNotMatch(failed.failureDetails.stack, /\/work\/|\/tmp\//, 'stacks are cut to file names on both targets');
  assert.equal((await cli(['instance', 'list', '--prefix', 'same-', '--json', ...url])).json().length, 3);
}

describe('perdure instance: both targets on one SQLite store', () => {
  const dir = createTempDir('perdure-operator-targets-');
  const storeUrl = `sqlite:${dir.file('store.db')}`;
  let server: ServerProcess;
  let url: string[];
  const store = () => ['--store', storeUrl];

  before(async () => {
    server = await startServer({ app: TEST_APP, store: storeUrl, env: { PERDURE_MASTER_KEY: KEY } });
    url = ['--url', server.url, '--key', KEY];
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
    dir[Symbol.dispose]();
  });

  it('prints the same JSON and tables through the server and straight from the store', async () => {
    await assertSameResults(url, store());
  });

  it('needs the key for a keyed server: --key or PERDURE_KEY', async () => {
    const without = await cli(['instance', 'list', '--url', server.url]);
    assert.equal(without.code, 1);
    assert.match(without.stderr, /Unauthorized.*give the key with --key or PERDURE_KEY/);
    assert.doesNotMatch(without.stderr, new RegExp(KEY));
    const fromEnv = await cli(['instance', 'list', '--url', server.url, '--json'], { env: { PERDURE_KEY: KEY } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    const wrongKind = await cli(['instance', 'list', '--store', storeUrl, '--key', KEY]);
    assert.equal(wrongKind.code, 2);
  });

  it('answers bad flags and values with exit 2 and a message naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['instance', 'list', '--status', 'Bogus'], /--status .*'Bogus' is not a status/],
      [['instance', 'list', '--limit', '0'], /--limit .*not a positive integer/],
      [['instance', 'list', '--since', 'yesterday'], /--since .*not a time/],
      [['instance', 'start', 'Echo', '--input', '{oops'], /--input .*not JSON/],
      [['instance', 'start', 'Echo', '--input', `@${dir.file('absent.json')}`], /--input .*cannot read/],
      [['instance', 'start', 'Echo', '--on-conflict', 'maybe'], /--on-conflict .*not one of reject, use-existing, terminate-existing/],
      [['instance', 'raise', 'x', 'E', '--data', '[1,'], /--data .*not JSON/],
      [['instance', 'wait', 'x', '--timeout', 'soon'], /--timeout .*not a number of seconds/],
      [['purge', '--status', 'Completed'], /Required option '--before <T>' not specified/],
      [['purge', '--status', 'Running', '--before', '1d'], /--status .*only finished instances can be purged/],
      [['instance', 'show'], /Missing required argument 'ID'/],
      [['instance', 'list', '--bogus'], /Unknown option '--bogus'/],
      [['instance', 'frobnicate'], /Unknown command 'frobnicate'/],
      [['instance', 'list', '--url', 'nonsense'], /--url 'nonsense' is not a URL/],
      [['instance', 'list', '--url', server.url, '--store', storeUrl], /either --url or --store/],
      [['instance', 'list', '--store', 'mysql://db'], /Unsupported store URL/],
    ];
    for (const [args, pattern] of cases) {
      const result = await cli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern, args.join(' '));
      assert.equal(result.stdout, '');
    }
  });

  it('reports an unreachable server with exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await cli(['instance', 'list', '--url', `http://127.0.0.1:${port}`]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `perdure: Cannot reach the server at http://127.0.0.1:${port} (ECONNREFUSED): is \`perdure start\` running there? (--url)\n`,
    );
  });

  it('purges in slices, drawing a progress bar only on a terminal', async () => {
    for (let i = 0; i < 7; i++) assert.equal((await cli(['instance', 'start', 'Echo', '--id', `slice-${i}`, ...store()])).code, 0);
    for (let i = 0; i < 7; i++) await showUntil(store(), `slice-${i}`, finished);
    let drawn = '';
    await using target = await openStoreTarget(storeUrl);
    const before = new Date();
    const bar = progressBar({ write: (text: string) => (drawn += text), isTTY: true });
    const deleted = await purgeInSlices(target, { runtimeStatus: ['Completed'], before, sliceSize: 3 }, bar);
    assert.ok(deleted >= 7, `deleted ${deleted}`);
    const frames = drawn.split('\r').filter(Boolean);
    assert.ok(frames.length >= 3, `one frame per slice: ${JSON.stringify(drawn)}`);
    assert.match(frames[frames.length - 1]!, /\[#{30}\] 100% \d+ purged/);
    assert.deepEqual((await cli(['instance', 'list', '--prefix', 'slice-', '--json', ...store()])).json(), []);

    await cli(['instance', 'start', 'Echo', '--id', 'slice-tty', ...store()]);
    await showUntil(store(), 'slice-tty', finished);
    const onTty = await cli(['purge', '--status', 'Completed', '--before', '0s', ...url], { tty: true });
    assert.match(onTty.stderr, /\r\[#+\] 100% 1 purged/);
    const piped = await cli(['purge', '--before', '0s', ...url]);
    assert.equal(piped.stderr, '', 'no bar when stderr is not a terminal');
  });

  it('exits with the code from the real binary, and lists every command in --help', async () => {
    const notFound = spawnCli(['instance', 'show', 'nobody', '--store', storeUrl]);
    assert.equal((await notFound.exited).code, 3, notFound.output());
    const listed = spawnCli(['instance', 'list', '--json', ...url]);
    assert.equal((await listed.exited).code, 0, listed.output());
    assert.ok(Array.isArray(JSON.parse(listed.output())));
    const conflict = spawnCli(['instance', 'start', 'ApprovalWorkflow', '--id', 'same-live', ...url]);
    assert.equal((await conflict.exited).code, 4, conflict.output());
    const usage = spawnCli(['purge']);
    assert.equal((await usage.exited).code, 2, usage.output());
    const help = await cli(['instance', '--help']);
    assert.equal(help.code, 0);
    for (const command of [
      'list',
      'show',
      'history',
      'start',
      'raise',
      'terminate',
      'suspend',
      'resume',
      'rewind',
      'restart',
      'purge',
      'wait',
    ]) {
      assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
    }
    assert.match((await cli(['instance', 'list', '--help'])).stdout, /--status <S,…>[\s\S]*--url <URL>[\s\S]*--store <URL>[\s\S]*--json/);
  });
});

describe('perdure instance: both targets on one PostgreSQL store', () => {
  let schema: TestSchema;
  let server: ServerProcess;

  before(async () => {
    schema = await createTestSchema('cli');
    server = await startServer({ app: TEST_APP, store: schema.url });
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
    await schema?.drop();
  });

  it('starts, lists and shows the same through the server and straight from PostgreSQL', async () => {
    const store = ['--store', schema.url];
    const started = await cli(['instance', 'start', 'HelloSequence', '--id', 'pg-hello', '--json', ...store]);
    assert.deepEqual(started.json(), { instanceId: 'pg-hello', outcome: 'created' });
    const done = await cli(['instance', 'wait', 'pg-hello', '--json', ...store]);
    assert.deepEqual(done.json().output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    await assertSameResults(['--url', server.url], store);
    const list = (await cli(['instance', 'list', '--status', 'Completed', '--json', ...store])).json();
    assert.deepEqual(list.map((s: any) => s.instanceId).sort(), ['pg-hello', 'same-hello']);
  });
});
