/**
 * @module test/http/management-query.test
 * The read side of the management API against the real server: instance
 * status (200/202/404, query options, Failed bodies), listing with filters
 * and continuation, and deleting (single and by filter).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request, waitForCompletion, waitForStatus } from '../helpers/http-client.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';

const TEST_APP = new URL('./fixtures/test-app.ts', import.meta.url).pathname;
const dir = createTempDir('perdure-http-query-');
let server: ServerProcess;
let m: string;

before(async () => {
  server = await startServer({ app: TEST_APP, store: `sqlite:${dir.file('store.db')}` });
  m = `${server.url}${MANAGEMENT}`;
});
after(async () => {
  await server?.[Symbol.asyncDispose]();
  dir[Symbol.dispose]();
});

async function start(name: string, id: string, input?: unknown) {
  const response = await request(`${m}/orchestrators/${name}/${id}`, { method: 'POST', ...(input === undefined ? {} : { json: input }) });
  assert.equal(response.status, 202, response.text);
}

describe('GET instances/{id}', () => {
  it('answers 200 with the Durable Functions status body for a completed instance', async () => {
    await start('HelloSequence', 'q-hello', { note: 'x' });
    await waitForCompletion(server.url, 'q-hello');
    const response = await request(`${m}/instances/q-hello`);
    assert.equal(response.status, 200);
    const { createdTime, lastUpdatedTime, ...rest } = response.body;
    assert.deepEqual(rest, {
      name: 'HelloSequence',
      instanceId: 'q-hello',
      runtimeStatus: 'Completed',
      input: { note: 'x' },
      customStatus: null,
      output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
    });
    assert.ok(Date.parse(createdTime) <= Date.parse(lastUpdatedTime));
  });

  it('answers 202 while the instance is live, and 404 for an unknown ID', async () => {
    await start('ApprovalWorkflow', 'q-live', { timeoutSeconds: 600 });
    const live = await request(`${m}/instances/q-live`);
    assert.equal(live.status, 202);
    assert.ok(['Pending', 'Running'].includes(live.body.runtimeStatus));
    const missing = await request(`${m}/instances/q-nobody`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.message, /q-nobody/);
  });

  it('hides the input with showInput=false and shows history with showHistory, results only with showHistoryOutput', async () => {
    const noInput = await request(`${m}/instances/q-hello?showInput=false`);
    assert.equal(noInput.body.input, null);
    assert.equal(noInput.body.historyEvents, undefined);
    const history = await request(`${m}/instances/q-hello?showHistory=true`);
    assert.ok(Array.isArray(history.body.historyEvents) && history.body.historyEvents.length > 0);
    assert.ok(!JSON.stringify(history.body.historyEvents).includes('Hello Tokyo!'), 'activity results hidden');
    const withOutput = await request(`${m}/instances/q-hello?showHistory=true&showHistoryOutput=true`);
    assert.ok(JSON.stringify(withOutput.body.historyEvents).includes('Hello Tokyo!'));
    // As in Durable Functions, a boolean that does not parse takes its default.
    const lenient = await request(`${m}/instances/q-hello?showHistory=1`);
    assert.equal(lenient.status, 200);
    assert.equal(lenient.body.historyEvents, undefined);
  });

  it('gives a Failed instance its failure message as output, with failureDetails; 500 on request', async () => {
    await start('AlwaysFails', 'q-failed');
    const failed = await waitForCompletion(server.url, 'q-failed');
    assert.equal(failed.runtimeStatus, 'Failed');
    assert.match(failed.output, /this orchestration always fails/);
    assert.equal(failed.failureDetails.message, failed.output);
    const response = await request(`${m}/instances/q-failed`);
    assert.equal(response.status, 200);
    const as500 = await request(`${m}/instances/q-failed?returnInternalServerErrorOnFailure=true`);
    assert.equal(as500.status, 500);
    assert.equal(as500.body.runtimeStatus, 'Failed');
  });
});

describe('GET instances', () => {
  it('lists as a JSON array, filtered by runtimeStatus (comma list), prefix and creation time', async () => {
    const from = new Date().toISOString();
    for (const i of [1, 2, 3]) await start('HelloSequence', `list-done-${i}`, i);
    await start('ApprovalWorkflow', 'list-live-1', { timeoutSeconds: 600 });
    for (const i of [1, 2, 3]) await waitForCompletion(server.url, `list-done-${i}`);
    await waitForStatus(server.url, 'list-live-1', (s) => s.runtimeStatus === 'Running');

    const done = await request(`${m}/instances?instanceIdPrefix=list-&runtimeStatus=Completed`);
    assert.equal(done.status, 200);
    assert.deepEqual(done.body.map((s: any) => s.instanceId).sort(), ['list-done-1', 'list-done-2', 'list-done-3']);
    assert.deepEqual(done.body.map((s: any) => s.input).sort(), [1, 2, 3], 'inputs are shown by default, as in Durable Functions');
    const hidden = await request(`${m}/instances?instanceIdPrefix=list-&runtimeStatus=Completed&showInput=false`);
    assert.ok(hidden.body.every((s: any) => s.input === null));
    // `name` is Perdure's extension (Durable Functions' list has no name filter).
    const byName = await request(`${m}/instances?instanceIdPrefix=list-&name=ApprovalWorkflow`);
    assert.deepEqual(
      byName.body.map((s: any) => s.instanceId),
      ['list-live-1'],
    );
    assert.equal((await request(`${m}/instances?name=`)).status, 400, 'an empty name is an error, not "no filter"');

    const both = await request(`${m}/instances/?instanceIdPrefix=list-&runtimeStatus=Completed,Running`);
    assert.equal(both.body.length, 4);
    assert.deepEqual(both.body.find((s: any) => s.instanceId === 'list-done-2').input, 2);

    const since = await request(`${m}/instances?createdTimeFrom=${encodeURIComponent(from)}`);
    assert.deepEqual(since.body.map((s: any) => s.instanceId).sort(), ['list-done-1', 'list-done-2', 'list-done-3', 'list-live-1']);
    const earlier = await request(`${m}/instances?instanceIdPrefix=list-&createdTimeTo=${encodeURIComponent(from)}`);
    assert.deepEqual(earlier.body, []);
  });

  it('pages with top and x-ms-continuation-token until every instance was seen once', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const response: any = await request(
        `${m}/instances?instanceIdPrefix=list-&top=2`,
        token ? { headers: { 'x-ms-continuation-token': token } } : {},
      );
      assert.equal(response.status, 200);
      assert.ok(response.body.length <= 2);
      seen.push(...response.body.map((s: any) => s.instanceId));
      token = response.headers.get('x-ms-continuation-token');
      assert.notEqual(token, null, 'the header is always sent on a list, empty on the last page');
      pages += 1;
    } while (token && pages < 10);
    assert.deepEqual(seen.sort(), ['list-done-1', 'list-done-2', 'list-done-3', 'list-live-1']);
    assert.ok(pages >= 2);
  });

  it('rejects a bad filter with 400 naming the parameter', async () => {
    for (const [query, field] of [
      ['runtimeStatus=Sleeping', 'runtimeStatus'],
      ['top=0', 'top'],
      ['top=abc', 'top'],
      ['runtimeStatus=running', 'runtimeStatus'],
      ['runtimeStatus=Unknown', 'runtimeStatus'],
      ['createdTimeFrom=yesterday', 'createdTimeFrom'],
    ]) {
      const response = await request(`${m}/instances?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.body.field, field, query);
    }
  });
});

describe('DELETE instances', () => {
  it('purges one terminal instance (200, then 404) and refuses a live one with 410', async () => {
    const deleted = await request(`${m}/instances/q-hello`, { method: 'DELETE' });
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.body, { instancesDeleted: 1 });
    assert.equal((await request(`${m}/instances/q-hello`)).status, 404);
    assert.equal((await request(`${m}/instances/q-hello`, { method: 'DELETE' })).status, 404);
    const live = await request(`${m}/instances/q-live`, { method: 'DELETE' });
    assert.equal(live.status, 410);
    assert.ok(['Pending', 'Running'].includes(live.body.runtimeStatus));
  });

  it('purges by filter: 200 with the count, 404 when nothing matched, 400 without createdTimeFrom', async () => {
    const from = new Date().toISOString();
    for (const i of [1, 2]) await start('HelloSequence', `purge-${i}`);
    await start('ApprovalWorkflow', 'purge-live', { timeoutSeconds: 600 });
    for (const i of [1, 2]) await waitForCompletion(server.url, `purge-${i}`);
    const query = `createdTimeFrom=${encodeURIComponent(from)}&runtimeStatus=Completed,Failed,Terminated`;
    const purged = await request(`${m}/instances/?${query}`, { method: 'DELETE' });
    assert.equal(purged.status, 200);
    assert.deepEqual(purged.body, { instancesDeleted: 2 });
    assert.equal((await request(`${m}/instances/purge-1`)).status, 404);
    assert.equal((await request(`${m}/instances/purge-live`)).status, 202, 'live instances are never purged');
    const again = await request(`${m}/instances?${query}`, { method: 'DELETE' });
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, { instancesDeleted: 0 });
    const unbounded = await request(`${m}/instances`, { method: 'DELETE' });
    assert.equal(unbounded.status, 400);
    assert.equal(unbounded.body.field, 'createdTimeFrom');
  });
});
