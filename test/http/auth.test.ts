/**
 * @module test/http/auth.test
 * Host-key protection: the management API and `authLevel: 'function'`
 * triggers need the key (in `?code=` or `x-functions-key`), anonymous
 * triggers don't, check-status URLs carry it, and a server reachable from
 * the network refuses to start without one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request } from '../helpers/http-client.ts';
import { spawnCli, startServer, EXAMPLE_APP, type ServerProcess } from '../helpers/server-process.ts';

const KEY = 'test-host-key-0123456789';
const dir = createTempDir('perdure-auth-');
let server: ServerProcess;

before(async () => {
  server = await startServer({ store: `sqlite:${dir.file('store.db')}`, env: { PERDURE_HOST_KEY: KEY } });
});
after(async () => {
  await server?.[Symbol.asyncDispose]();
  dir[Symbol.dispose]();
});

describe('with a host key', () => {
  it('answers 401 JSON on management routes without the right key', async () => {
    for (const suffix of ['', '?code=wrong', `?code=${KEY}x`, '?code=']) {
      const response = await request(`${server.url}${MANAGEMENT}/instances${suffix}`);
      assert.equal(response.status, 401, suffix);
      assert.match(response.body.message, /host key/);
    }
    const wrongHeader = await request(`${server.url}${MANAGEMENT}/instances`, { headers: { 'x-functions-key': 'nope' } });
    assert.equal(wrongHeader.status, 401);
    assert.equal((await request(`${server.url}${MANAGEMENT}/instances/x/terminate`, { method: 'POST' })).status, 401);
  });

  it('accepts the key as ?code= and as the x-functions-key header', async () => {
    assert.equal((await request(`${server.url}${MANAGEMENT}/instances?code=${KEY}`)).status, 200);
    const byHeader = await request(`${server.url}${MANAGEMENT}/instances`, { headers: { 'x-functions-key': KEY } });
    assert.equal(byHeader.status, 200);
    assert.ok(Array.isArray(byHeader.body));
  });

  it("protects authLevel 'function' triggers, puts code= in check-status URLs, and leaves anonymous ones open", async () => {
    const denied = await request(`${server.url}/api/orchestrators/HelloSequence/auth-1`, { method: 'POST' });
    assert.equal(denied.status, 401);
    const started = await request(`${server.url}/api/orchestrators/HelloSequence/auth-1?code=${KEY}`, { method: 'POST' });
    assert.equal(started.status, 202);
    assert.equal(started.body.statusQueryGetUri, `${server.url}${MANAGEMENT}/instances/auth-1?code=${KEY}`);
    assert.ok(started.headers.get('location')?.endsWith(`?code=${KEY}`));
    assert.equal((await request(started.body.statusQueryGetUri)).body.instanceId, 'auth-1');
    const health = await request(`${server.url}/api/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
  });
});

describe('binding', () => {
  it('refuses to listen on 0.0.0.0 without a host key, with a clear message and exit code 2', async () => {
    const cli = spawnCli(['start', EXAMPLE_APP, '--host', '0.0.0.0', '--port', '0', '--store', `sqlite:${dir.file('never.db')}`]);
    const exit = await cli.exited;
    assert.equal(exit.code, 2);
    assert.match(cli.stderr(), /Refusing to listen on 0\.0\.0\.0 without a host key/);
    assert.match(cli.stderr(), /PERDURE_HOST_KEY/);
    assert.doesNotMatch(cli.stderr(), /\n\s+at /, 'no stack trace');
  });

  it('listens on 0.0.0.0 when a host key is set', async () => {
    await using open = await startServer({
      store: `sqlite:${dir.file('open.db')}`,
      args: ['--host', '0.0.0.0'],
      env: { PERDURE_HOST_KEY: KEY },
    });
    assert.match(open.url, /^http:\/\/0\.0\.0\.0:\d+$/);
    const port = new URL(open.url).port;
    assert.equal((await request(`http://127.0.0.1:${port}${MANAGEMENT}/instances`)).status, 401);
    assert.equal((await request(`http://127.0.0.1:${port}${MANAGEMENT}/instances?code=${KEY}`)).status, 200);
  });
});
