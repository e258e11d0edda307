/**
 * @module test/http/bad-input.test
 * What the server answers to bad requests: malformed JSON (400), bodies
 * over the limit whether declared or chunked (413), bad instance IDs (400),
 * unknown functions and routes (404), and unexpected errors (500 without a
 * stack trace, which goes to the server's log instead).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request } from '../helpers/http-client.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';

const TEST_APP = new URL('./fixtures/test-app.ts', import.meta.url).pathname;
const MiB = 1024 * 1024;
const dir = createTempDir('perdure-bad-input-');
let server: ServerProcess;

before(async () => {
  server = await startServer({ app: TEST_APP, store: `sqlite:${dir.file('store.db')}` });
});
after(async () => {
  await server?.[Symbol.asyncDispose]();
  dir[Symbol.dispose]();
});

/** A JSON string body of exactly `bytes` bytes. */
const jsonOfSize = (bytes: number) => JSON.stringify('x'.repeat(bytes - 2));

/** Sends the body as a stream, so it goes out chunked with no Content-Length. */
function chunked(bytes: number): RequestInit {
  const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json' } };
}

describe('request bodies', () => {
  it('answers 400 with field "body" for malformed JSON, on triggers and management routes', async () => {
    for (const url of [
      `${server.url}/api/orchestrators/HelloSequence/json-1`,
      `${server.url}${MANAGEMENT}/orchestrators/HelloSequence/json-2`,
    ]) {
      const response = await request(url, { method: 'POST', body: '{"cities": [', headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 400, url);
      assert.equal(response.body.field, 'body');
      assert.match(response.body.message, /not valid JSON/);
    }
    assert.equal((await request(`${server.url}${MANAGEMENT}/instances/json-1`)).status, 404, 'nothing was started');
  });

  it('treats an empty body as no input', async () => {
    const response = await request(`${server.url}/api/orchestrators/HelloSequence/empty-1`, { method: 'POST', body: '' });
    assert.equal(response.status, 202);
  });

  it('accepts a body at the 1 MiB default limit and answers 413 just over it', async () => {
    const atLimit = await request(`${server.url}/api/orchestrators/HelloSequence/size-ok`, {
      method: 'POST',
      body: jsonOfSize(MiB - 64),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(atLimit.status, 202, atLimit.text);
    for (const url of [
      `${server.url}/api/orchestrators/HelloSequence/size-big`,
      `${server.url}${MANAGEMENT}/orchestrators/HelloSequence/size-big`,
      `${server.url}${MANAGEMENT}/instances/size-ok/raiseEvent/Approval`,
    ]) {
      const response = await request(url, { method: 'POST', body: jsonOfSize(MiB + 1), headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 413, url);
      assert.equal(response.body.limitBytes, MiB);
    }
    assert.equal((await request(`${server.url}${MANAGEMENT}/instances/size-big`)).status, 404);
  });

  it('answers 413 to a chunked body that grows past the limit (no Content-Length to trust)', async () => {
    const response = await request(`${server.url}/api/orchestrators/HelloSequence/chunked-big`, chunked(3 * MiB));
    assert.equal(response.status, 413);
    assert.equal(response.body.field, 'body');
    assert.notEqual(response.headers.get('connection'), 'close', 'the body was drained, so the connection stays usable');
    const small = await request(`${server.url}/api/orchestrators/HelloSequence/chunked-small`, chunked(0));
    assert.equal(small.status, 202);
  });

  it('honours PERDURE_MAX_BODY_BYTES', async () => {
    await using small = await startServer({ store: `sqlite:${dir.file('small.db')}`, env: { PERDURE_MAX_BODY_BYTES: '1000' } });
    const ok = await request(`${small.url}/api/orchestrators/HelloSequence/limit-ok`, {
      method: 'POST',
      body: jsonOfSize(1000),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(ok.status, 202);
    const big = await request(`${small.url}/api/orchestrators/HelloSequence/limit-big`, {
      method: 'POST',
      body: jsonOfSize(1001),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(big.status, 413);
    assert.equal(big.body.limitBytes, 1000);
  });
});

describe('names and routes', () => {
  it('answers 400 naming instanceId for a bad instance ID', async () => {
    for (const id of ['%40reserved', 'a%2Fb', 'x'.repeat(300), 'tab%09id']) {
      const response = await request(`${server.url}/api/orchestrators/HelloSequence/${id}`, { method: 'POST' });
      assert.equal(response.status, 400, id);
      assert.equal(response.body.field, 'instanceId', id);
    }
  });

  it('answers 404 for an unknown function', async () => {
    const response = await request(`${server.url}/api/orchestrators/NoSuchOrchestration/abc`, { method: 'POST' });
    assert.equal(response.status, 404);
    assert.equal(response.body.message, "No orchestration function named 'NoSuchOrchestration' is registered.");
  });

  it('answers 404 JSON for unknown routes and wrong methods', async () => {
    for (const [method, path] of [
      ['POST', '/'],
      ['GET', '/dashboard/nothing-here'],
      ['GET', '/api/nothing-here'],
      ['GET', '/api/orchestrators/HelloSequence/x'],
      ['PUT', `${MANAGEMENT}/instances`],
    ]) {
      const response = await request(`${server.url}${path}`, { method: method! });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(typeof response.body.message, 'string');
    }
  });

  it('answers 500 with a fixed message and no stack, and logs the stack on the server', async () => {
    const response = await request(`${server.url}/api/boom`);
    assert.equal(response.status, 500);
    assert.deepEqual(response.body, { message: 'Internal server error' });
    assert.doesNotMatch(response.text, /secret internal detail|\bat\s/);
    const deadline = Date.now() + 10_000;
    while (!server.stderr().includes('secret internal detail') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Logs are JSON lines on stderr when it is not a terminal (docs/observability.md): the stack is the error's `err.stack`.
    const logged = server
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { err?: { stack?: string } });
    assert.ok(
      logged.some((line) => /^Error: secret internal detail\n\s+at /.test(line.err?.stack ?? '')),
      server.stderr(),
    );
  });
});
