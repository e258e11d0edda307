/**
 * Perdure's entity read routes (`perdure/entities`, `perdure/entities/{name}/{key}`)
 * over real HTTP on loopback: every name or one with a key prefix, paged;
 * lock holders and last operation times; a long state cut with a note;
 * and a 4xx naming the parameter for every bad input, never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MANAGEMENT, request } from '../helpers/http-client.ts';
import { startDashboardServer, type DashboardServer } from './fixtures.ts';
import { buildPagesApp } from './pages-fixtures.ts';

let server: DashboardServer;
let base: string;
before(async () => {
  server = await startDashboardServer({}, buildPagesApp());
  base = `${server.url}${MANAGEMENT}/perdure/entities`;
});
after(async () => {
  await server?.[Symbol.asyncDispose]();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('perdure/entities', () => {
  it('lists entities of every name, or one name with a key prefix, and pages them', async () => {
    const client = server.host.client;
    for (const key of ['a1', 'a2', 'b1']) await client.signalEntity({ name: 'counter', key }, 'add', 1);
    await client.signalEntity({ name: 'doc', key: 'a1' }, 'set', 'hello');
    const all = await until(
      () => request(base),
      (r) => r.body?.length === 4,
    );
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.map((e: any) => e.instanceId).sort(), ['@counter@a1', '@counter@a2', '@counter@b1', '@doc@a1']);
    assert.equal(all.headers.get('x-ms-continuation-token'), '');
    const first = all.body.find((e: any) => e.instanceId === '@counter@a1');
    assert.deepEqual(first.entityId, { name: 'counter', key: 'a1' });
    assert.equal(first.exists, true);
    assert.equal(first.backlogQueueSize, 0);
    assert.ok(!Number.isNaN(Date.parse(first.lastOperationTime)));

    const prefixed = await request(`${base}?name=Counter&prefix=a`);
    assert.deepEqual(prefixed.body.map((e: any) => e.instanceId).sort(), ['@counter@a1', '@counter@a2']);

    const page1 = await request(`${base}?top=3`);
    const token = page1.headers.get('x-ms-continuation-token');
    assert.ok(token, 'a continuation token after a full page');
    const page2 = await request(`${base}?top=3`, { headers: { 'x-ms-continuation-token': token } });
    const seen = [...page1.body, ...page2.body].map((e: any) => e.instanceId);
    assert.equal(new Set(seen).size, 4);
  });

  it('answers one entity with its lock holder, state and last operation; entities without state only on request', async () => {
    const client = server.host.client;
    await client.signalEntity({ name: 'counter', key: 'locked' }, 'add', 7);
    await client.startNew('HoldsLock', { instanceId: 'holder-1', input: 'locked' });
    const one = await until(
      () => request(`${base}/counter/locked`),
      (r) => r.body?.lockedBy === 'holder-1' && r.body?.state?.total === 7,
    );
    assert.equal(one.body.instanceId, '@counter@locked');
    assert.equal(one.body.stateTruncated, undefined);
    assert.equal(typeof one.body.stateLength, 'number');
    await client.raiseEvent('holder-1', 'Release', null);
    await client.waitForCompletion('holder-1', { timeoutMs: 20_000 });
    await until(
      () => request(`${base}/counter/locked`),
      (r) => r.body?.lockedBy === undefined,
    );

    await client.signalEntity({ name: 'counter', key: 'gone' }, 'add', 1);
    await client.signalEntity({ name: 'counter', key: 'gone' }, 'reset');
    const gone = await until(
      () => request(`${base}/counter/gone`),
      (r) => r.body?.exists === false,
    );
    assert.equal(gone.body.state, undefined);
    const listed = (await request(`${base}?name=counter&prefix=gone`)).body.map((e: any) => e.instanceId);
    assert.deepEqual(listed, []);
    const withDeleted = (await request(`${base}?name=counter&prefix=gone&includeDeleted=true`)).body.map((e: any) => e.instanceId);
    assert.deepEqual(withDeleted, ['@counter@gone']);
    assert.equal((await request(`${base}/counter/never`)).status, 404);
  });

  it('cuts a long state to maxStateChars and says so', async () => {
    await server.host.client.signalEntity({ name: 'doc', key: 'long' }, 'set', 'x'.repeat(500));
    const cut = await until(
      () => request(`${base}/doc/long?maxStateChars=100`),
      (r) => r.body?.exists === true,
    );
    assert.equal(cut.body.stateTruncated, true);
    assert.equal(cut.body.state, undefined);
    assert.equal(cut.body.statePreview.length, 100);
    assert.ok(cut.body.statePreview.startsWith('{\n  "text": "xxx'));
    assert.equal(cut.body.stateLength, JSON.stringify({ text: 'x'.repeat(500) }, null, 2).length);
    const whole = await request(`${base}/doc/long`);
    assert.equal(whole.body.state.text.length, 500);
  });

  it('answers bad input with a 400 naming the parameter, and other methods with a 404', async () => {
    const cases: Array<[string, string]> = [
      ['?top=0', 'top'],
      ['?top=abc', 'top'],
      ['?name=a%40b', 'name'],
      ['?name=', 'name'],
      ['?prefix=a', 'prefix'],
      ['?name=counter&prefix=a%23b', 'prefix'],
      ['?includeDeleted=yes', 'includeDeleted'],
      ['?name=a&name=b', 'name'],
      ['/counter/a1?maxStateChars=0', 'maxStateChars'],
      ['/counter/a1?maxStateChars=abc', 'maxStateChars'],
      ['/counter/a1?maxStateChars=99999999999', 'maxStateChars'],
      ['/counter/a%3Fb', 'entityId.key'],
      ['/a%40b/k', 'entityId.name'],
    ];
    for (const [path, field] of cases) {
      const answer = await request(`${base}${path}`);
      assert.equal(answer.status, 400, `${path}: ${answer.text}`);
      assert.equal(answer.body.field, field, path);
      assert.equal(typeof answer.body.message, 'string');
    }
    const badToken = await request(base, { headers: { 'x-ms-continuation-token': 'not-a-token' } });
    assert.equal(badToken.status, 400, badToken.text);
    for (const [method, path] of [
      ['POST', ''],
      ['DELETE', '/counter/a1'],
      ['GET', '/counter'],
      ['GET', '/counter/a1/extra'],
    ] as const) {
      const answer = await request(`${base}${path}`, { method });
      assert.equal(answer.status, 404, `${method} ${path}`);
    }
  });
});

describe('instances list and entities', () => {
  it('lists entities among the instances by default, as Durable Functions does, and leaves them out with excludeEntities=true', async () => {
    const client = server.host.client;
    await client.signalEntity({ name: 'counter', key: 'listed' }, 'add', 1);
    await client.startNew('Tick', { instanceId: 'an-orchestration' });
    const list = (query: string) => request(`${server.url}${MANAGEMENT}/instances?top=1000${query}`);
    const ids = (answer: { body: { instanceId: string }[] }) => answer.body.map((i) => i.instanceId);
    const all = await until(
      () => list(''),
      (r) => ids(r).includes('@counter@listed'),
    );
    assert.ok(ids(all).includes('an-orchestration'));
    const orchestrations = await list('&excludeEntities=true');
    assert.equal(orchestrations.status, 200);
    assert.ok(ids(orchestrations).includes('an-orchestration'));
    assert.deepEqual(
      ids(orchestrations).filter((id) => id.startsWith('@')),
      [],
    );
    assert.ok(ids(await list('&excludeEntities=false')).includes('@counter@listed'));
  });
});
