/**
 * @module test/http/browser-safety.test
 * On the keyless loopback default, a web page the developer visits must not
 * be able to drive the host: a body a page can send without asking
 * (text/plain, a form) is 415, a cross-site Origin on a state-changing
 * request is 403, a foreign Host (DNS rebinding) is 421 and never reflected
 * into Location, and every answer carries the headers of an admin surface.
 * Non-browser clients (no Origin) keep working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request } from '../helpers/http-client.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';

const TEST_APP = new URL('./fixtures/test-app.ts', import.meta.url).pathname;
const dir = createTempDir('perdure-browser-');
let server: ServerProcess;

before(async () => {
  server = await startServer({ app: TEST_APP, store: `sqlite:${dir.file('store.db')}` });
});
after(async () => {
  await server?.[Symbol.asyncDispose]();
  dir[Symbol.dispose]();
});

const exists = async (id: string) => (await request(`${server.url}${MANAGEMENT}/instances/${id}`)).status !== 404;
const raw = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  rawRequest(server.url, { method, path, headers, ...(body === undefined ? {} : { body }) });

describe('bodies a page can send without asking', () => {
  it('answers 415 to text/plain, form and untyped bodies on protected triggers and the management API, and starts nothing', async () => {
    for (const [path, type] of [
      ['/api/orchestrators/HelloSequence/simple-1', 'text/plain'],
      ['/api/orchestrators/HelloSequence/simple-2', 'application/x-www-form-urlencoded'],
      ['/api/orchestrators/HelloSequence/simple-3', 'multipart/form-data; boundary=x'],
      ['/api/orchestrators/HelloSequence/simple-4', undefined],
      [`${MANAGEMENT}/orchestrators/HelloSequence/simple-5`, 'text/plain'],
      [`${MANAGEMENT}/orchestrators/HelloSequence/simple-6`, undefined],
    ] as const) {
      const response = await raw('POST', path, type === undefined ? {} : { 'content-type': type }, '["Tokyo"]');
      assert.equal(response.status, 415, `${path} ${type}`);
      assert.equal(response.body.field, 'Content-Type');
    }
    for (let i = 1; i <= 6; i++) assert.equal(await exists(`simple-${i}`), false, `simple-${i}`);
  });

  it('accepts application/json and +json bodies, and bodiless POSTs as the Durable Functions client sends them', async () => {
    const json = await raw('POST', '/api/orchestrators/HelloSequence/ok-1', { 'content-type': 'application/json; charset=utf-8' }, '1');
    assert.equal(json.status, 202);
    const plusJson = await raw('POST', `${MANAGEMENT}/orchestrators/HelloSequence/ok-2`, { 'content-type': 'application/vnd.x+json' }, '1');
    assert.equal(plusJson.status, 202);
    assert.equal(
      (await raw('POST', `${MANAGEMENT}/orchestrators/HelloSequence/ok-3`, { 'content-type': 'application/json' }, '')).status,
      202,
    );
    assert.equal((await raw('POST', `${MANAGEMENT}/orchestrators/HelloSequence/ok-4`)).status, 202);
  });

  it('answers 415 to a compressed body on the management API', async () => {
    const response = await raw(
      'POST',
      `${MANAGEMENT}/orchestrators/HelloSequence/gz-1`,
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      '1',
    );
    assert.equal(response.status, 415);
    assert.equal(response.body.field, 'Content-Encoding');
    assert.equal(await exists('gz-1'), false);
  });
});

describe('cross-site requests', () => {
  it('answers 403 to a state-changing request from a foreign, null or cross-site origin, and changes nothing', async () => {
    await raw(
      'POST',
      `${MANAGEMENT}/orchestrators/ApprovalWorkflow/victim`,
      { 'content-type': 'application/json' },
      '{"timeoutSeconds":600}',
    );
    const crossSite: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'https://evil.example:7071' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of crossSite) {
      for (const [method, path] of [
        ['POST', `${MANAGEMENT}/instances/victim/terminate`],
        ['POST', `${MANAGEMENT}/orchestrators/HelloSequence/csrf-1`],
        ['DELETE', `${MANAGEMENT}/instances?createdTimeFrom=2000-01-01`],
        ['POST', '/api/orchestrators/HelloSequence/csrf-2'],
      ] as const) {
        const response = await raw(method, path, headers);
        assert.equal(response.status, 403, `${method} ${path} ${JSON.stringify(headers)}`);
        assert.equal(response.body.field, 'Origin');
      }
    }
    const victim = await request(`${server.url}${MANAGEMENT}/instances/victim`);
    assert.equal(victim.body.runtimeStatus, 'Running');
    assert.equal(await exists('csrf-1'), false);
    assert.equal(await exists('csrf-2'), false);
  });

  it('lets a local origin, an anonymous trigger and reads through', async () => {
    const local = await raw('POST', `${MANAGEMENT}/orchestrators/HelloSequence/local-1`, { origin: 'http://localhost:3000' });
    assert.equal(local.status, 202);
    assert.equal((await raw('GET', `${MANAGEMENT}/instances/local-1`, { origin: 'http://evil.example' })).status !== 403, true);
    const anonymous = await raw('POST', '/api/anonymous-start/anon-1', { origin: 'http://evil.example' });
    assert.equal(anonymous.status, 202, 'anonymous triggers are public by declaration');
  });
});

describe('foreign Host (DNS rebinding)', () => {
  it('answers 421 for a Host that is not this server, on every route, and never reflects it', async () => {
    for (const [method, path] of [
      ['GET', `${MANAGEMENT}/instances`],
      ['POST', `${MANAGEMENT}/orchestrators/HelloSequence/rebind-1`],
      ['POST', '/api/anonymous-start/rebind-2'],
      ['GET', '/api/health'],
      ['GET', '/nothing'],
    ] as const) {
      const response = await raw(method, path, { host: `attacker.example:${new URL(server.url).port}` });
      assert.equal(response.status, 421, `${method} ${path}`);
      assert.equal(response.headers['location'], undefined);
      assert.doesNotMatch(response.text, /attacker/);
    }
    assert.equal(await exists('rebind-1'), false);
    assert.equal(await exists('rebind-2'), false);
  });

  it('accepts loopback names in Host and builds status URLs from them', async () => {
    const port = new URL(server.url).port;
    for (const [index, host] of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].entries()) {
      // One ID per Host: two names of one length once shared an ID, and the second start was a conflict whenever the first was still running.
      const id = `host-${index}`;
      const started = await raw('POST', `${MANAGEMENT}/orchestrators/HelloSequence/${id}`, { host });
      assert.equal(started.status, 202, host);
      assert.equal(started.headers['location'], `http://${host}${MANAGEMENT}/instances/${id}`);
    }
  });
});

describe('security headers', () => {
  it('sends the admin-surface headers on management answers, errors and refusals, and safe ones on trigger answers', async () => {
    for (const response of [
      await raw('GET', `${MANAGEMENT}/instances`),
      await raw('GET', '/nothing'),
      await raw('POST', `${MANAGEMENT}/orchestrators/HelloSequence/h-1`, { origin: 'http://evil.example' }),
      await raw('GET', '/api/health', { host: 'attacker.example' }),
    ]) {
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.match(String(response.headers['content-security-policy']), /default-src 'none'.*frame-ancestors 'none'/);
      assert.equal(response.headers['x-frame-options'], 'DENY');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
      assert.equal(response.headers['cross-origin-resource-policy'], 'same-origin');
    }
    const trigger = await raw('GET', '/api/health');
    assert.equal(trigger.headers['x-content-type-options'], 'nosniff');
    assert.equal(trigger.headers['referrer-policy'], 'no-referrer');
    assert.equal(trigger.headers['content-security-policy'], undefined, 'a trigger may serve a page: no CSP forced on it');
  });
});
