/**
 * @module test/http/auth.test
 * The key model, as Azure Functions has it: the master key opens every
 * route, the system key only the management API, function keys only
 * `authLevel: 'function'` triggers; anonymous triggers stay open.
 * Check-status URLs carry the management key only when the code asked for
 * it, so an anonymous trigger can no longer hand it out. A server reachable
 * from the network refuses to start without a key that closes the
 * management API, and bad keys are refused before anything starts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request } from '../helpers/http-client.ts';
import { spawnCli, startServer, EXAMPLE_APP, type ServerProcess } from '../helpers/server-process.ts';

const TEST_APP = new URL('./fixtures/test-app.ts', import.meta.url).pathname;
const MASTER = 'master-key-0123456789abcdef';
const SYSTEM = 'system-key-0123456789abcdef';
const FUNCTION = 'function-key-0123456789abcdef';
const OLD_FUNCTION = 'old-function-key-0123456789';
const dir = createTempDir('perdure-auth-');
let server: ServerProcess;

before(async () => {
  server = await startServer({
    app: TEST_APP,
    store: `sqlite:${dir.file('store.db')}`,
    env: { PERDURE_MASTER_KEY: MASTER, PERDURE_SYSTEM_KEY: SYSTEM, PERDURE_FUNCTION_KEYS: `${FUNCTION},${OLD_FUNCTION}` },
  });
});
after(async () => {
  await server?.[Symbol.asyncDispose]();
  dir[Symbol.dispose]();
});

const status = async (path: string, init: RequestInit = {}) => (await request(`${server.url}${path}`, init)).status;

describe('what each key opens', () => {
  it('opens the management API with the system key or the master key only, as ?code= or x-functions-key', async () => {
    for (const suffix of ['', '?code=wrong', `?code=${SYSTEM}x`, '?code=', `?code=${FUNCTION}`]) {
      const response = await request(`${server.url}${MANAGEMENT}/instances${suffix}`);
      assert.equal(response.status, 401, suffix);
      assert.match(response.body.message, /system key or the master key/);
    }
    assert.equal(await status(`${MANAGEMENT}/instances`, { headers: { 'x-functions-key': FUNCTION } }), 401, 'a function key');
    assert.equal(await status(`${MANAGEMENT}/instances/x/terminate`, { method: 'POST' }), 401);
    assert.equal(await status(`${MANAGEMENT}/instances?code=${SYSTEM}`), 200);
    assert.equal(await status(`${MANAGEMENT}/instances?code=${MASTER}`), 200);
    assert.equal(await status(`${MANAGEMENT}/instances`, { headers: { 'x-functions-key': SYSTEM } }), 200);
  });

  it("opens authLevel 'function' triggers with any function key or the master key, never the system key", async () => {
    const start = (id: string, code?: string) =>
      status(`/api/orchestrators/HelloSequence/${id}${code === undefined ? '' : `?code=${code}`}`, { method: 'POST' });
    assert.equal(await start('fn-0'), 401);
    assert.equal(await start('fn-1', SYSTEM), 401, 'the system key opens only the management API');
    assert.equal(await start('fn-2', FUNCTION), 202);
    assert.equal(await start('fn-3', OLD_FUNCTION), 202, 'every configured function key, so keys can be rotated');
    assert.equal(await start('fn-4', MASTER), 202);
  });

  it("opens authLevel 'admin' triggers with the master key only, and anonymous ones with none", async () => {
    assert.equal(await status(`/api/admin-only?code=${FUNCTION}`), 401);
    assert.equal(await status(`/api/admin-only?code=${SYSTEM}`), 401);
    assert.equal(await status(`/api/admin-only?code=${MASTER}`), 200);
    const health = await request(`${server.url}/api/health`);
    assert.deepEqual([health.status, health.body], [200, { status: 'ok' }]);
  });
});

describe('check-status URLs', () => {
  it('carry no key from an anonymous trigger, so the management key cannot leak through it', async () => {
    const started = await request(`${server.url}/api/anonymous-start/leak-1`, { method: 'POST' });
    assert.equal(started.status, 202);
    assert.equal(started.body.statusQueryGetUri, `${server.url}${MANAGEMENT}/instances/leak-1`);
    assert.doesNotMatch(started.text, /code=/);
    assert.doesNotMatch(started.headers.get('location') ?? '', /code=/);
    assert.equal((await request(started.body.statusQueryGetUri)).status, 401, 'following it needs a key of its own');
  });

  it('carry the system key when the code asks for it (includeManagementKey), and it works as given', async () => {
    const started = await request(`${server.url}/api/trusted-start/trusted-1?code=${FUNCTION}`, { method: 'POST' });
    assert.equal(started.status, 202);
    assert.equal(started.body.statusQueryGetUri, `${server.url}${MANAGEMENT}/instances/trusted-1?code=${SYSTEM}`);
    assert.ok(started.headers.get('location')?.endsWith(`?code=${SYSTEM}`));
    assert.equal((await request(started.body.statusQueryGetUri)).body.instanceId, 'trusted-1');
  });

  it('carry the system key in answers of the management API, whose caller already holds a management key', async () => {
    const started = await request(`${server.url}${MANAGEMENT}/orchestrators/HelloSequence/mgmt-1?code=${MASTER}`, { method: 'POST' });
    assert.equal(started.status, 202);
    assert.ok(started.body.terminatePostUri.endsWith(`reason={text}&code=${SYSTEM}`), started.body.terminatePostUri);
  });
});

describe('configuration', () => {
  it('keeps PERDURE_HOST_KEY working as the master key', async () => {
    await using legacy = await startServer({ store: `sqlite:${dir.file('legacy.db')}`, env: { PERDURE_HOST_KEY: MASTER } });
    assert.equal((await request(`${legacy.url}${MANAGEMENT}/instances`)).status, 401);
    assert.equal((await request(`${legacy.url}${MANAGEMENT}/instances?code=${MASTER}`)).status, 200);
    assert.equal((await request(`${legacy.url}/api/orchestrators/HelloSequence/l-1?code=${MASTER}`, { method: 'POST' })).status, 202);
    assert.match(legacy.output(), /Keys: master\n/);
  });

  it('refuses a malformed key, or two different master keys, with one line naming the setting (exit code 2)', async () => {
    for (const [env, message] of [
      [{ PERDURE_SYSTEM_KEY: 'short' }, /PERDURE_SYSTEM_KEY must be 16 to 256 characters/],
      [
        { PERDURE_FUNCTION_KEYS: `${FUNCTION},,${OLD_FUNCTION}` },
        /PERDURE_FUNCTION_KEYS must be a comma-separated list with no empty items/,
      ],
      [{ PERDURE_MASTER_KEY: MASTER, PERDURE_HOST_KEY: SYSTEM }, /PERDURE_HOST_KEY is the old name of the master key/],
      [{ PERDURE_MASTER_KEY: 'has space in it 0123456789' }, /PERDURE_MASTER_KEY must be/],
    ] as const) {
      const cli = spawnCli(['start', EXAMPLE_APP, '--port', '0', '--store', `sqlite:${dir.file('never.db')}`], env);
      const exit = await cli.exited;
      assert.equal(exit.code, 2, JSON.stringify(env));
      assert.match(cli.stderr(), message);
      assert.doesNotMatch(cli.stderr(), /\n\s+at /, 'no stack trace');
    }
  });
});

describe('binding', () => {
  it('refuses to listen on 0.0.0.0 without keys, with a clear message and exit code 2', async () => {
    const cli = spawnCli(['start', EXAMPLE_APP, '--host', '0.0.0.0', '--port', '0', '--store', `sqlite:${dir.file('never.db')}`]);
    const exit = await cli.exited;
    assert.equal(exit.code, 2);
    assert.match(cli.stderr(), /Refusing to listen on 0\.0\.0\.0 without keys/);
    assert.match(cli.stderr(), /PERDURE_MASTER_KEY/);
    assert.doesNotMatch(cli.stderr(), /\n\s+at /, 'no stack trace');
  });

  it('listens on 0.0.0.0 when a key is set, and answers for any Host name there', async () => {
    await using open = await startServer({
      store: `sqlite:${dir.file('open.db')}`,
      args: ['--host', '0.0.0.0'],
      env: { PERDURE_SYSTEM_KEY: SYSTEM },
    });
    assert.match(open.url, /^http:\/\/0\.0\.0\.0:\d+$/);
    const port = new URL(open.url).port;
    assert.equal((await request(`http://127.0.0.1:${port}${MANAGEMENT}/instances`)).status, 401);
    assert.equal((await request(`http://127.0.0.1:${port}${MANAGEMENT}/instances?code=${SYSTEM}`)).status, 200);
  });
});
