/**
 * @module test/df-compat/df-http-table.test
 * Issue 10's HTTP table, row by row, against a real server: each request
 * answers as Durable Functions' HttpApiHandler does, or with the 4xx the
 * issue asks for where Durable Functions answers 500. Also the leniency
 * rows (`top=5000`, `showHistory=1`, `runtimeStatus=Canceled`), routing
 * (case-insensitive literals, parameters appended with `&`), timed starts,
 * and history events in Durable Functions' shape.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request, waitForCompletion, waitForStatus } from '../helpers/http-client.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';

const TEST_APP = new URL('../http/fixtures/test-app.ts', import.meta.url).pathname;
const dir = createTempDir('perdure-df-table-');
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

const post = (path: string, json?: unknown) => request(`${m}${path}`, { method: 'POST', ...(json === undefined ? {} : { json }) });

async function startLive(id: string) {
  assert.equal((await post(`/orchestrators/ApprovalWorkflow/${id}`, { timeoutSeconds: 600 })).status, 202);
  await waitForStatus(server.url, id, (s) => s.runtimeStatus === 'Running');
}

describe("issue 10's table", () => {
  it('GET instances/{id} on a live instance: 202, Location = the request URL, Retry-After: 5', async () => {
    await startLive('t-live');
    const url = `${m}/instances/t-live?showInput=true`;
    const response = await request(url);
    assert.equal(response.status, 202);
    assert.equal(response.headers.get('location'), url);
    assert.equal(response.headers.get('retry-after'), '5');
    assert.equal(response.headers.get('x-ms-continuation-token'), null, 'never on a single-instance GET');
    assert.deepEqual(Object.keys(response.body), [
      'name',
      'instanceId',
      'runtimeStatus',
      'input',
      'customStatus',
      'output',
      'createdTime',
      'lastUpdatedTime',
    ]);
  });

  it('GET instances/{id} of a finished instance: 200 with no Location', async () => {
    assert.equal((await post('/orchestrators/Echo/t-done', 'x')).status, 202);
    await waitForCompletion(server.url, 't-done');
    const response = await request(`${m}/instances/t-done`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('location'), null);
  });

  it('GET instances shows inputs by default (showInput defaults to true)', async () => {
    const response = await request(`${m}/instances?instanceIdPrefix=t-done`);
    assert.equal(response.status, 200);
    assert.equal(response.body[0].input, 'x');
    assert.equal(response.headers.get('x-ms-continuation-token'), '', 'sent, and empty on the last page');
  });

  it('POST orchestrators/{fn}?timeout=&pollingInterval= waits: 200 with the bare output when done in time', async () => {
    const response = await post('/orchestrators/Echo/t-wait?timeout=30&pollingInterval=1', { hello: 'world' });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { hello: 'world' });
    assert.equal(response.headers.get('location'), null);
    const timeoutAlone = await post('/orchestrators/Echo?timeout=30', 5);
    assert.equal(timeoutAlone.status, 200, 'Perdure waits without polling, so timeout alone is enough');
    assert.equal(timeoutAlone.body, 5);
  });

  it('POST orchestrators/{fn}?timeout= that runs out: the 202 check-status answer', async () => {
    const response = await post('/orchestrators/ApprovalWorkflow/t-wait-live?timeout=0.2&pollingInterval=0.05', { timeoutSeconds: 600 });
    assert.equal(response.status, 202);
    assert.equal(response.body.id, 't-wait-live');
    assert.equal(response.headers.get('location'), response.body.statusQueryGetUri);
    assert.equal(response.headers.get('retry-after'), '10');
  });

  it('POST orchestrators/{fn}?timeout= of an instance that fails: 200 with its status (returnInternalServerErrorOnFailure is off)', async () => {
    const response = await post('/orchestrators/AlwaysFails/t-wait-fail?timeout=30&showHistory=true');
    assert.equal(response.status, 200);
    assert.equal(response.body.runtimeStatus, 'Failed');
    assert.match(response.body.output, /always fails/);
    assert.ok(Array.isArray(response.body.historyEvents), "the start request's showHistory applies");
  });

  it('a bad timeout or pollingInterval is a 400 naming it, before anything starts', async () => {
    for (const [query, field] of <const>[
      ['timeout=NaN', 'timeout'],
      ['timeout=-1', 'timeout'],
      ['timeout=1e12', 'timeout'],
      ['timeout=1&pollingInterval=5', 'pollingInterval'],
    ]) {
      const id = `t-bad-wait-${field}-${query.length}`;
      const response = await post(`/orchestrators/Echo/${id}?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.body.field, field, query);
      assert.equal((await request(`${m}/instances/${id}`)).status, 404, `${query}: nothing started`);
    }
  });

  it('POST orchestrators/{unknown}: 400', async () => {
    const response = await post('/orchestrators/NoSuchThing');
    assert.equal(response.status, 400);
    assert.equal(response.body.field, 'functionName');
  });

  it('POST instances/{unknown}/restart: 400', async () => {
    const response = await post('/instances/t-nobody/restart');
    assert.equal(response.status, 400);
    assert.equal(response.body.field, 'instanceId');
  });

  it('POST instances/{id}/restart?timeout= waits like a start', async () => {
    const response = await post('/instances/t-done/restart?timeout=30');
    assert.equal(response.status, 200);
    assert.equal(response.body, 'x');
  });

  it('rewind: 409 while Running (Durable Functions: 500), 410 once Completed or Terminated', async () => {
    const live = await post('/instances/t-live/rewind');
    assert.equal(live.status, 409);
    assert.equal(live.body.runtimeStatus, 'Running');
    assert.equal((await post('/instances/t-done/rewind')).status, 410);
  });

  it('DELETE instances/{id} of a live instance: still refused with 410 (Durable Functions purges it)', async () => {
    const response = await request(`${m}/instances/t-live`, { method: 'DELETE' });
    assert.equal(response.status, 410);
    assert.equal((await request(`${m}/instances/t-live`)).status, 202, 'still there');
  });

  it('same-ID restart of a live instance: 409 (Durable Functions: 500)', async () => {
    const response = await post('/instances/t-live/restart?restartWithNewInstanceId=false');
    assert.equal(response.status, 409);
    assert.equal(response.body.instanceId, 't-live');
  });
});

describe('leniency and routing', () => {
  it('accepts top=5000 (a page is capped, the rest follows the continuation token)', async () => {
    const response = await request(`${m}/instances?top=5000`);
    assert.equal(response.status, 200);
    assert.ok(response.body.length > 0);
  });

  it('reads showHistory=1 as Durable Functions does: not true, so the default', async () => {
    const response = await request(`${m}/instances/t-done?showHistory=1`);
    assert.equal(response.status, 200);
    assert.equal(response.body.historyEvents, undefined);
    const upper = await request(`${m}/instances/t-done?ShowHistory=TRUE`);
    assert.ok(Array.isArray(upper.body.historyEvents), 'names and booleans are case-insensitive');
  });

  it('accepts runtimeStatus=Canceled (which never matches) and numeric statuses', async () => {
    const canceled = await request(`${m}/instances?runtimeStatus=Canceled`);
    assert.equal(canceled.status, 200);
    assert.deepEqual(canceled.body, []);
    const numeric = await request(`${m}/instances?instanceIdPrefix=t-&runtimeStatus=0`);
    assert.ok(numeric.body.length > 0 && numeric.body.every((s: { runtimeStatus: string }) => s.runtimeStatus === 'Running'));
    const purge = await request(`${m}/instances?createdTimeFrom=2000-01-01&runtimeStatus=Canceled`, { method: 'DELETE' });
    assert.equal(purge.status, 404, 'a purge of Canceled purges nothing, never everything');
    assert.equal((await request(`${m}/instances/t-done`)).status, 200);
  });

  it('routes literal segments and operations case-insensitively, and ignores a trailing slash', async () => {
    assert.equal((await request(`${m}/Instances/t-done/`)).status, 200);
    assert.equal((await post('/INSTANCES/t-done/Terminate')).status, 410);
  });

  it('reads parameters a client appended with & to a status URL without a query', async () => {
    const response = await request(`${m}/instances/t-done&showHistory=true&showInput=false`);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.instanceId, 't-done');
    assert.equal(response.body.input, null);
    assert.ok(Array.isArray(response.body.historyEvents));
    const listed = await request(`${m}/instances/&instanceIdPrefix=t-done`);
    assert.equal(listed.status, 200);
    assert.ok(Array.isArray(listed.body));
    assert.equal((await request(`${m}/instances/t-done%26showHistory=true`)).status, 404, 'an encoded & is part of the ID');
  });
});

describe('history in Durable Functions shape', () => {
  it('folds completed tasks, drops orchestrator markers, shows results only with showHistoryOutput', async () => {
    assert.equal((await post('/orchestrators/HelloSequence/h-1', 'in')).status, 202);
    await waitForCompletion(server.url, 'h-1');
    const plain = await request(`${m}/instances/h-1?showHistory=true`);
    const events = plain.body.historyEvents;
    assert.deepEqual(
      events.map((e: { EventType: string }) => e.EventType),
      ['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted'],
    );
    assert.deepEqual(events[0], {
      EventType: 'ExecutionStarted',
      Timestamp: events[0].Timestamp,
      Input: '"in"',
      FunctionName: 'HelloSequence',
    });
    const task = events[1];
    assert.deepEqual(Object.keys(task), ['EventType', 'Timestamp', 'ScheduledTime', 'FunctionName', 'Input']);
    assert.equal(task.FunctionName, 'SayHello');
    assert.equal(task.Input, '"Tokyo"');
    assert.ok(Date.parse(task.ScheduledTime) <= Date.parse(task.Timestamp));
    assert.equal(events[4].OrchestrationStatus, 'Completed');
    assert.equal('Result' in events[4], false);

    const withOutput = await request(`${m}/instances/h-1?showHistory=true&showHistoryOutput=true&showInput=false`);
    const [started, first, , , completed] = withOutput.body.historyEvents;
    assert.equal(first.Result, 'Hello Tokyo!');
    assert.equal('Input' in first, false, 'showInput=false drops every Input');
    assert.equal('Input' in started, false);
    assert.deepEqual(completed.Result, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('gives a failure FailureDetails, and a live instance its pending timer', async () => {
    const failed = await request(`${m}/instances/t-wait-fail?showHistory=true&showHistoryOutput=true`);
    const end = failed.body.historyEvents.at(-1);
    assert.equal(end.EventType, 'ExecutionCompleted');
    assert.equal(end.OrchestrationStatus, 'Failed');
    assert.equal(end.FailureDetails.ErrorMessage, 'this orchestration always fails');
    const live = await request(`${m}/instances/t-live?showHistory=true`);
    const types = live.body.historyEvents.map((e: { EventType: string }) => e.EventType);
    assert.deepEqual(types, ['ExecutionStarted', 'TimerCreated']);
    assert.ok(live.body.historyEvents[1].FireAt);
  });
});
