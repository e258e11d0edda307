/**
 * @module test/http/bad-input-hardening.test
 * The bad input a probe found turning into 500s or into the wrong action,
 * checked on a real server over SQLite and over PostgreSQL: deeply nested
 * JSON, invalid UTF-8, lax dates (`createdTimeFrom=0` was the year 2000),
 * empty filters that widened a purge, control characters in identifiers
 * and filters (`instanceIdPrefix=%00` was a 500 on PostgreSQL), deep
 * activity outputs (a bare RangeError), and absolute paths in failure stacks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { createTestSchema, type TestSchema } from '../helpers/postgres.ts';
import { MANAGEMENT, request, waitForCompletion } from '../helpers/http-client.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';

const TEST_APP = new URL('./fixtures/test-app.ts', import.meta.url).pathname;
const JSON_TYPE = { 'content-type': 'application/json' };
const dir = createTempDir('perdure-hardening-');
let schema: TestSchema;
const servers: Record<string, ServerProcess> = {};

before(async () => {
  schema = await createTestSchema('hard');
  [servers['sqlite'], servers['postgres']] = await Promise.all([
    startServer({ app: TEST_APP, store: `sqlite:${dir.file('store.db')}` }),
    startServer({ app: TEST_APP, store: schema.url }),
  ]);
});
after(async () => {
  for (const server of Object.values(servers)) await server[Symbol.asyncDispose]();
  await schema?.drop();
  dir[Symbol.dispose]();
});

for (const storeName of ['sqlite', 'postgres']) {
  const url = () => servers[storeName]!.url;
  const m = () => `${url()}${MANAGEMENT}`;

  describe(`bad input over ${storeName}`, () => {
    it('answers 400 naming the depth limit to 4,500 nested levels on every body route', async () => {
      const deep = '['.repeat(4_500) + ']'.repeat(4_500);
      await request(`${m()}/orchestrators/ApprovalWorkflow/deep-live`, { method: 'POST', json: { timeoutSeconds: 600 } });
      for (const path of [
        `${MANAGEMENT}/orchestrators/HelloSequence/deep-1`,
        `${MANAGEMENT}/instances/deep-live/raiseEvent/Approval`,
        '/api/orchestrators/HelloSequence/deep-2',
        '/api/start-and-wait/HelloSequence',
      ]) {
        const response = await rawRequest(url(), { method: 'POST', path, headers: JSON_TYPE, body: deep });
        assert.equal(response.status, 400, path);
        assert.match(response.body.message, /deeper than 64 levels/, path);
      }
      assert.equal((await request(`${m()}/instances/deep-1`)).status, 404);
    });

    it('answers 400 to a body that is not UTF-8', async () => {
      const body = Buffer.from([0x22, 0xc3, 0x28, 0x22]); // a string holding an invalid two-byte sequence
      for (const path of [`${MANAGEMENT}/orchestrators/HelloSequence/utf-1`, '/api/orchestrators/HelloSequence/utf-2']) {
        const response = await rawRequest(url(), { method: 'POST', path, headers: JSON_TYPE, body });
        assert.equal(response.status, 400, path);
        assert.match(response.body.message, /not valid UTF-8/);
      }
      assert.equal((await request(`${m()}/instances/utf-1`)).status, 404);
    });

    it('answers 400 to dates that are not strict ISO 8601 and to empty filters, and purges nothing', async () => {
      await waitForCompletion(url(), (await request(`${m()}/orchestrators/HelloSequence/keep-1`, { method: 'POST' })).body.id);
      for (const [query, field] of [
        ['createdTimeFrom=0', 'createdTimeFrom'],
        ['createdTimeFrom=2000', 'createdTimeFrom'],
        ['createdTimeFrom=2023-02-29', 'createdTimeFrom'],
        ['createdTimeFrom=2000-01-01&createdTimeTo=tomorrow', 'createdTimeTo'],
        ['createdTimeFrom=', 'createdTimeFrom'],
        ['createdTimeFrom=2000-01-01&runtimeStatus=', 'runtimeStatus'],
        ['createdTimeFrom=2000-01-01&runtimeStatus=Completed,', 'runtimeStatus'],
        ['createdTimeFrom=2000-01-01&createdTimeFrom=2001-01-01', 'createdTimeFrom'],
      ]) {
        const purge = await request(`${m()}/instances?${query}`, { method: 'DELETE' });
        assert.equal(purge.status, 400, query);
        assert.equal(purge.body.field, field, query);
      }
      for (const [query, field] of [
        ['createdTimeFrom=0', 'createdTimeFrom'],
        ['runtimeStatus=', 'runtimeStatus'],
        ['instanceIdPrefix=', 'instanceIdPrefix'],
        ['top=', 'top'],
      ]) {
        const list = await request(`${m()}/instances?${query}`);
        assert.equal(list.status, 400, query);
        assert.equal(list.body.field, field, query);
      }
      assert.equal((await request(`${m()}/instances/keep-1`)).body.runtimeStatus, 'Completed', 'nothing was purged');
      const dated = await request(`${m()}/instances?createdTimeFrom=2000-01-01T00:00:00Z&top=5`);
      assert.equal(dated.status, 200, 'a strict date still works');
    });

    it('answers 400 to a NUL or control character in any identifier or filter', async () => {
      await request(`${m()}/orchestrators/ApprovalWorkflow/nul-live`, { method: 'POST', json: { timeoutSeconds: 600 } });
      for (const [method, path, field] of [
        ['GET', `${MANAGEMENT}/instances?instanceIdPrefix=%00`, 'instanceIdPrefix'],
        ['GET', `${MANAGEMENT}/instances?instanceIdPrefix=a%01b`, 'instanceIdPrefix'],
        ['GET', `${MANAGEMENT}/instances/a%00b`, 'instanceId'],
        ['POST', `${MANAGEMENT}/orchestrators/Hello%00Sequence`, 'orchestration name'],
        ['POST', `${MANAGEMENT}/instances/nul-live/raiseEvent/Appr%00oval`, 'eventName'],
        ['POST', `${MANAGEMENT}/instances/nul-live/terminate?reason=a%00b`, 'reason'],
        ['GET', `${MANAGEMENT}/instances?runtimeStatus=Running%00`, 'runtimeStatus'],
        ['DELETE', `${MANAGEMENT}/instances?createdTimeFrom=2000-01-01%00`, 'createdTimeFrom'],
      ] as const) {
        const response = await rawRequest(url(), { method, path });
        assert.equal(response.status, 400, `${method} ${path}`);
        assert.equal(response.body.field, field, `${method} ${path}`);
      }
      // Not yet picked up by a worker (Pending) or Running: either way, not terminated.
      const { runtimeStatus } = (await request(`${m()}/instances/nul-live`)).body;
      assert.ok(['Pending', 'Running'].includes(runtimeStatus), `the reason with NUL terminated nothing (${runtimeStatus})`);
    });

    it('fails an activity whose output is too deep with a ValidationError, not a RangeError', async () => {
      const started = await request(`${m()}/orchestrators/DeepOutput/deep-out`, { method: 'POST', json: 10_000 });
      assert.equal(started.status, 202);
      const status = await waitForCompletion(url(), 'deep-out');
      assert.equal(status.runtimeStatus, 'Failed');
      assert.match(JSON.stringify(status.failureDetails), /ValidationError.*deeper than 64 levels/);
      assert.doesNotMatch(JSON.stringify(status.failureDetails), /RangeError/);
    });
  });
}

describe('failure stacks over HTTP', () => {
  it('carry file names, not absolute paths, unless PERDURE_SHOW_STACK_PATHS=true', async () => {
    const url = servers['sqlite']!.url;
    await request(`${url}${MANAGEMENT}/orchestrators/AlwaysFails/stack-1`, { method: 'POST' });
    const status = await waitForCompletion(url, 'stack-1');
    assert.match(status.failureDetails.stack, /test-app\.ts:\d+:\d+/);
    assert.doesNotMatch(status.failureDetails.stack, /\/work\/|\(\/|file:\/\//, 'no absolute path');
    const history = await request(`${url}${MANAGEMENT}/instances/stack-1?showHistory=true`);
    assert.doesNotMatch(history.text, new RegExp(dir.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

    await using showing = await startServer({
      app: TEST_APP,
      store: `sqlite:${dir.file('paths.db')}`,
      env: { PERDURE_SHOW_STACK_PATHS: 'true' },
    });
    await request(`${showing.url}${MANAGEMENT}/orchestrators/AlwaysFails/stack-2`, { method: 'POST' });
    const shown = await waitForCompletion(showing.url, 'stack-2');
    assert.ok(shown.failureDetails.stack.includes(TEST_APP), 'the absolute path is kept when asked for');
  });
});
