/**
 * @module test/http/app-routes.test
 * In-process checks (Hono's `app.request()`) of how HTTP triggers are
 * routed: Azure route templates, precedence of literal segments, what a
 * handler's return value becomes, and the body handed to the handler.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, ConfigurationError } from '../../src/index.ts';
import { toHonoPath } from '../../src/http/app-routes.ts';
import { createHttpApp } from '../../src/http/create-http-app.ts';
import type { DurableClient } from '../../src/client/client.ts';
import { silentLogger } from '../../src/runtime/logger.ts';

function serve(register: (app: ReturnType<typeof createApp>) => void, options: { maxBodyBytes?: number } = {}) {
  const app = createApp();
  register(app);
  return createHttpApp({ app, client: {} as DurableClient }, { logger: silentLogger, ...options });
}

describe('route templates', () => {
  it('converts Azure templates to Hono paths', () => {
    assert.equal(toHonoPath('orchestrators/{functionName}/{instanceId}'), '/orchestrators/:functionName/:instanceId');
    assert.equal(toHonoPath('/items/{id?}'), '/items/:id?');
    assert.equal(toHonoPath('orders/{n:int}'), '/orders/:n{-?[0-9]+}');
    assert.equal(toHonoPath('files/{*path}'), '/files/:path{.+}');
    assert.throws(() => toHonoPath('a/{x:regex}'), ConfigurationError);
    assert.throws(() => toHonoPath('a/b{x}'), ConfigurationError);
  });

  it('routes params, constraints and optional segments', async () => {
    const http = serve((app) => {
      app.http('Echo', { route: 'echo/{a}/{b?}', methods: ['GET'], handler: (_r, ctx) => ctx.params });
      app.http('Order', { route: 'orders/{n:int}', methods: ['GET'], handler: (_r, ctx) => ({ n: ctx.params.n }) });
    });
    assert.deepEqual(await (await http.request('/api/echo/x/y')).json(), { a: 'x', b: 'y' });
    assert.deepEqual(await (await http.request('/api/echo/x')).json(), { a: 'x' });
    assert.deepEqual(await (await http.request('/api/echo/hello%20world')).json(), { a: 'hello world' });
    assert.equal((await http.request('/api/orders/42')).status, 200);
    assert.equal((await http.request('/api/orders/abc')).status, 404);
  });

  it('prefers a literal segment over a parameter, whatever the registration order', async () => {
    const http = serve((app) => {
      app.http('ById', { route: 'things/{id}', methods: ['GET'], handler: () => 'by id' });
      app.http('Latest', { route: 'things/latest', methods: ['GET'], handler: () => 'latest' });
    });
    assert.equal(await (await http.request('/api/things/latest')).text(), 'latest');
    assert.equal(await (await http.request('/api/things/7')).text(), 'by id');
  });

  it('only answers the registered methods', async () => {
    const http = serve((app) => app.http('PostOnly', { methods: ['POST'], handler: () => ({ ok: true }) }));
    assert.equal((await http.request('/api/PostOnly', { method: 'POST' })).status, 200);
    const wrong = await http.request('/api/PostOnly', { method: 'GET' });
    assert.equal(wrong.status, 404);
    assert.match(((await wrong.json()) as { message: string }).message, /No route matches GET \/api\/PostOnly/);
  });
});

describe('handler results and bodies', () => {
  it('passes a Response through, answers 204 for undefined, text for a string, JSON otherwise', async () => {
    const http = serve((app) => {
      app.http('Raw', { handler: () => new Response('teapot', { status: 418 }) });
      app.http('Nothing', { handler: () => undefined });
      app.http('Text', { handler: () => 'plain' });
      app.http('Json', { handler: async () => ({ a: [1, 2] }) });
    });
    const raw = await http.request('/api/Raw');
    assert.equal(raw.status, 418);
    assert.equal(await raw.text(), 'teapot');
    assert.equal((await http.request('/api/Nothing')).status, 204);
    const text = await http.request('/api/Text');
    assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await text.text(), 'plain');
    const json = await http.request('/api/Json');
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.deepEqual(await json.json(), { a: [1, 2] });
  });

  it('gives the handler the whole body when under the limit, and 413 without calling it when over', async () => {
    let calls = 0;
    const http = serve(
      (app) => app.http('Body', { methods: ['POST'], handler: async (request) => (calls++, { got: await request.text() }) }),
      { maxBodyBytes: 10 },
    );
    assert.deepEqual(await (await http.request('/api/Body', { method: 'POST', body: '0123456789' })).json(), { got: '0123456789' });
    const over = await http.request('/api/Body', { method: 'POST', body: '0123456789A' });
    assert.equal(over.status, 413);
    assert.equal(calls, 1);
  });

  it('hands a POST with Content-Length: 0 over as it is, with an empty body', async () => {
    const http = serve((app) => app.http('Empty', { methods: ['POST'], handler: async (request) => ({ got: await request.text() }) }));
    const response = await http.request('/api/Empty', { method: 'POST', headers: { 'content-length': '0' } });
    assert.deepEqual(await response.json(), { got: '' });
  });
});
