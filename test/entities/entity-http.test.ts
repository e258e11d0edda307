/**
 * @module test/entities/entity-http.test
 * Durable Functions' entity routes over real HTTP on loopback: read (200 /
 * 404), signal (202, POST with `op` and DELETE), list with `top`,
 * `fetchState` and the continuation header, and the 4xx answers for bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHost, silentLogger, type Host } from '../../src/index.ts';
import { createFetchHandler, serveHttp, type HttpServer } from '../../src/http/index.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request } from '../helpers/http-client.ts';
import { buildEntityApp } from './entity-app.ts';

const dir = createTempDir('perdure-entity-http-');
let host: Host;
let server: HttpServer;
let base: string;

before(async () => {
  host = await createHost({ app: buildEntityApp(), store: `sqlite:${dir.file('store.db')}`, logger: silentLogger });
  server = await serveHttp({ fetch: createFetchHandler(host), port: 0 });
  base = `${server.url}${MANAGEMENT}/entities`;
});
after(async () => {
  await server?.close();
  await host?.stop();
  dir[Symbol.dispose]();
});

async function stateOf(path: string, done: (r: { status: number; body: unknown }) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await request(`${base}${path}`);
    if (done(response)) return response;
    if (Date.now() > deadline) assert.fail(`timed out on ${path}: ${response.status} ${response.text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('entity routes', () => {
  it('GET a missing entity is 404; POST ?op= signals (202, empty body) and GET then answers its state', async () => {
    assert.equal((await request(`${base}/counter/h1`)).status, 404);
    const signal = await request(`${base}/Counter/h1?op=add`, { method: 'POST', json: 5 });
    assert.equal(signal.status, 202);
    assert.equal(signal.text, '');
    await request(`${base}/counter/h1?op=add`, { method: 'POST', json: 3 });
    const read = await stateOf('/counter/h1', (r) => r.status === 200 && r.body === 8);
    assert.equal(read.headers.get('content-type')?.startsWith('application/json'), true);
  });

  it('DELETE signals the operation named delete', async () => {
    await request(`${base}/log/h2?op=append`, { method: 'POST', json: 'first' });
    assert.equal((await request(`${base}/log/h2`, { method: 'DELETE' })).status, 202);
    // The Log entity ignores unknown operations: the delete ran after the append without changing the state.
    await stateOf('/log/h2', (r) => r.status === 200 && JSON.stringify(r.body) === '["first"]');
  });

  it('lists one name in pages, with state on fetchState and the continuation header (empty on the last page)', async () => {
    for (const key of ['l1', 'l2', 'l3']) await request(`${base}/account/${key}?op=deposit`, { method: 'POST', json: 1 });
    await stateOf('/account/l3', (r) => r.status === 200);
    const keys: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await request(`${base}/account?top=2&fetchState=true`, token ? { headers: { 'x-ms-continuation-token': token } } : {});
      assert.equal(page.status, 200);
      pages += 1;
      for (const entity of page.body as { entityId: { name: string; key: string }; lastOperationTime: string; state: unknown }[]) {
        assert.equal(entity.entityId.name, 'account');
        assert.equal(entity.state, 1);
        assert.ok(!Number.isNaN(Date.parse(entity.lastOperationTime)));
        keys.push(entity.entityId.key);
      }
      token = page.headers.get('x-ms-continuation-token') ?? '';
    } while (token !== '');
    assert.deepEqual(keys.sort(), ['l1', 'l2', 'l3']);
    assert.equal(pages, 2);
    const withoutState = await request(`${base}/account?top=10`);
    assert.ok((withoutState.body as object[]).every((e) => !('state' in e)));
  });

  it('the empty key, as Durable Functions: POST entities/{name} signals it, GET entities/{name}/$ reads it', async () => {
    assert.equal((await request(`${base}/counter/$`)).status, 404);
    assert.equal((await request(`${base}/counter?op=add`, { method: 'POST', json: 4 })).status, 202);
    await stateOf('/counter/$', (r) => r.status === 200 && r.body === 4);
    assert.deepEqual(await host.client.readEntityState({ name: 'counter', key: '' }), { exists: true, state: 4 });
    const listed = await request(`${base}/counter?top=100`);
    assert.ok((listed.body as { entityId: { key: string } }[]).some((e) => e.entityId.key === ''));
    // A `$` in a POST is the key `$` itself, as in Durable Functions.
    assert.equal((await request(`${base}/counter/$?op=add`, { method: 'POST', json: 1 })).status, 202);
    const dollar = { name: 'counter', key: '$' };
    const deadline = Date.now() + 20_000;
    while (!(await host.client.readEntityState(dollar)).exists) {
      if (Date.now() > deadline) assert.fail('the $ entity never appeared');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal((await request(`${base}/counter/$`)).body, 4);
    assert.equal((await request(`${base}/counter`, { method: 'POST', json: 1 })).status, 400, 'still needs an op');
  });

  it('filters the list by lastOperationTimeFrom and lastOperationTimeTo (both inclusive); a bad date is 400', async () => {
    await request(`${base}/account/d1?op=deposit`, { method: 'POST', json: 1 });
    const first = await stateOf('/account?top=100', (r) =>
      (r.body as { entityId: { key: string } }[]).some((e) => e.entityId.key === 'd1'),
    );
    const d1 = (first.body as { entityId: { key: string }; lastOperationTime: string }[]).find((e) => e.entityId.key === 'd1')!;
    const at = encodeURIComponent(d1.lastOperationTime);
    const keys = async (query: string) =>
      ((await request(`${base}/account?top=100&${query}`)).body as { entityId: { key: string } }[]).map((e) => e.entityId.key);
    assert.ok((await keys(`lastOperationTimeFrom=${at}`)).includes('d1'), 'from is inclusive');
    assert.ok((await keys(`lastOperationTimeTo=${at}`)).includes('d1'), 'to is inclusive');
    const later = encodeURIComponent(new Date(Date.parse(d1.lastOperationTime) + 1).toISOString());
    assert.ok(!(await keys(`lastOperationTimeFrom=${later}`)).includes('d1'));
    assert.deepEqual(await keys('lastOperationTimeTo=2000-01-01'), []);
    const bad = await request(`${base}/account?lastOperationTimeFrom=yesterday`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /lastOperationTimeFrom/);
  });

  it('answers bad input with 4xx: no op, a name with @, a non-JSON body, a bad method', async () => {
    assert.equal((await request(`${base}/counter/x`, { method: 'POST', json: 1 })).status, 400);
    assert.equal((await request(`${base}/a@b/x?op=add`, { method: 'POST', json: 1 })).status, 400);
    const text = await request(`${base}/counter/x?op=add`, { method: 'POST', body: '1', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
    assert.equal((await request(`${base}/counter/x`, { method: 'PUT', json: 1 })).status, 404);
    assert.equal((await request(`${base}/counter/x/y`)).status, 404);
    assert.equal((await request(`${base}/counter?top=0`)).status, 400);
  });
});
