/**
 * @module test/http/management-control.test
 * The write side of the management API against the real server: raising
 * events, terminate, suspend/resume, rewind, restart, and starting
 * orchestrations directly, with every status code each route can give.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request, waitForCompletion, waitForStatus } from '../helpers/http-client.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';

const TEST_APP = new URL('./fixtures/test-app.ts', import.meta.url).pathname;
const dir = createTempDir('perdure-http-control-');
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

const post = (path: string, init: RequestInit & { json?: unknown } = {}) => request(`${m}${path}`, { method: 'POST', ...init });

async function startApproval(id: string, timeoutSeconds = 600) {
  assert.equal((await post(`/orchestrators/ApprovalWorkflow/${id}`, { json: { timeoutSeconds } })).status, 202);
  await waitForStatus(server.url, id, (s) => s.runtimeStatus === 'Running');
}

describe('POST orchestrators/{functionName}[/{instanceId}]', () => {
  it('starts with a new ID: 202, check-status body, Location and Retry-After', async () => {
    const response = await post('/orchestrators/FanOutFanIn', { json: 4 });
    assert.equal(response.status, 202);
    const id = response.body.id;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(response.headers.get('location'), `${m}/instances/${id}`);
    assert.equal(response.headers.get('retry-after'), '10');
    assert.deepEqual(Object.keys(response.body).sort(), [
      'id',
      'purgeHistoryDeleteUri',
      'restartPostUri',
      'resumePostUri',
      'rewindPostUri',
      'sendEventPostUri',
      'statusQueryGetUri',
      'suspendPostUri',
      'terminatePostUri',
    ]);
    assert.equal(response.body.sendEventPostUri, `${m}/instances/${id}/raiseEvent/{eventName}`);
    assert.equal((await waitForCompletion(server.url, id)).output, 10);
  });

  it('starts with a chosen ID, 409 with the existing status while it is live', async () => {
    await startApproval('direct-1');
    const conflict = await post('/orchestrators/HelloSequence/direct-1');
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.message, "An instance with ID 'direct-1' already exists.");
    assert.equal(conflict.body.instanceId, 'direct-1');
    assert.equal(conflict.body.name, 'ApprovalWorkflow');
    assert.equal(conflict.body.runtimeStatus, 'Running');
    assert.ok(!Number.isNaN(Date.parse(conflict.body.createdTime)));
  });

  it("takes Perdure's onConflict and says what the start did in perdure-start-outcome", async () => {
    const created = await post('/orchestrators/ApprovalWorkflow/direct-policy', { json: { timeoutSeconds: 600 } });
    assert.equal(created.headers.get('perdure-start-outcome'), 'created');
    const existing = await post('/orchestrators/ApprovalWorkflow/direct-policy?onConflict=useExisting');
    assert.equal(existing.status, 202);
    assert.equal(existing.body.id, 'direct-policy');
    assert.equal(existing.headers.get('perdure-start-outcome'), 'existing');
    const replaced = await post('/orchestrators/HelloSequence/direct-policy?onConflict=terminateExisting');
    assert.equal(replaced.headers.get('perdure-start-outcome'), 'replaced');
    assert.deepEqual((await waitForCompletion(server.url, 'direct-policy')).output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const bad = await post('/orchestrators/HelloSequence/direct-policy-2?onConflict=sometimes');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'onConflict');
    assert.equal((await request(`${m}/instances/direct-policy-2`)).status, 404, 'a bad policy starts nothing');
  });

  it('answers 400 for an unknown function (as Durable Functions), bad JSON or a bad instance ID', async () => {
    const unknown = await post('/orchestrators/NoSuchThing/x');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.field, 'functionName');
    assert.match(unknown.body.message, /NoSuchThing/);
    const badJson = await post('/orchestrators/HelloSequence/bad-json', { body: '{"a":', headers: { 'content-type': 'application/json' } });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body.field, 'body');
    const badId = await post('/orchestrators/HelloSequence/@reserved');
    assert.equal(badId.status, 400);
    assert.equal(badId.body.field, 'instanceId');
  });
});

describe('POST instances/{id}/raiseEvent/{eventName}', () => {
  it('delivers the JSON body as event data (202), then 410 once the instance has finished', async () => {
    await startApproval('event-1');
    const raised = await post('/instances/event-1/raiseEvent/Approval', { json: { approved: true } });
    assert.equal(raised.status, 202);
    assert.equal((await waitForCompletion(server.url, 'event-1')).output, 'approved');
    const late = await post('/instances/event-1/raiseEvent/Approval', { json: true });
    assert.equal(late.status, 410);
    assert.equal(late.body.runtimeStatus, 'Completed');
  });

  it('answers 404 for an unknown instance and 400 for a malformed body', async () => {
    assert.equal((await post('/instances/nobody/raiseEvent/Approval', { json: true })).status, 404);
    await startApproval('event-2');
    const bad = await post('/instances/event-2/raiseEvent/Approval', { body: 'not json', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'body');
    // Durable Functions' raiseEvent accepts only application/json; another media type is 415 here.
    const plain = await post('/instances/event-2/raiseEvent/Approval', { body: '"yes"', headers: { 'content-type': 'text/plain' } });
    assert.equal(plain.status, 415);
    assert.equal(plain.body.field, 'Content-Type');
  });
});

describe('terminate, suspend, resume', () => {
  it('suspends and resumes a live instance, then terminates it with the reason; 410 afterwards', async () => {
    await startApproval('ctl-1');
    assert.equal((await post('/instances/ctl-1/suspend?reason=pause')).status, 202);
    await waitForStatus(server.url, 'ctl-1', (s) => s.runtimeStatus === 'Suspended');
    assert.equal((await post('/instances/ctl-1/resume?reason=go')).status, 202);
    await waitForStatus(server.url, 'ctl-1', (s) => s.runtimeStatus === 'Running');
    assert.equal((await post('/instances/ctl-1/terminate?reason=no%20longer%20needed')).status, 202);
    const terminated = await waitForCompletion(server.url, 'ctl-1');
    assert.equal(terminated.runtimeStatus, 'Terminated');
    assert.equal((await request(`${m}/instances/ctl-1`)).status, 200);
    for (const op of ['terminate', 'suspend', 'resume']) {
      const response = await post(`/instances/ctl-1/${op}`);
      assert.equal(response.status, 410, op);
      assert.equal(response.body.runtimeStatus, 'Terminated');
    }
  });

  it('answers 404 for an unknown instance or operation', async () => {
    for (const op of ['terminate', 'suspend', 'resume', 'rewind']) {
      assert.equal((await post(`/instances/nobody/${op}`)).status, 404, op);
    }
    assert.equal((await post('/instances/ctl-1/explode')).status, 404);
  });
});

describe('POST instances/{id}/rewind', () => {
  it('rewinds a Failed one to completion; 410 once Completed, 409 while live (Durable Functions: 500)', async () => {
    const flag = dir.file('rewind-flag');
    assert.equal((await post('/orchestrators/Rewindable/rw-1', { json: flag })).status, 202);
    const failed = await waitForCompletion(server.url, 'rw-1');
    assert.equal(failed.runtimeStatus, 'Failed');
    assert.match(failed.output, /flag file/);
    writeFileSync(flag, 'ok');
    assert.equal((await post('/instances/rw-1/rewind?reason=fixed')).status, 202);
    // The rewind is applied at the instance's next turn: it stays Failed until then.
    const rewound = await waitForStatus(server.url, 'rw-1', (s) => s.runtimeStatus === 'Completed');
    assert.equal(rewound.output, 'recovered');
    const again = await post('/instances/rw-1/rewind');
    assert.equal(again.status, 410);
    await startApproval('rw-live');
    const live = await post('/instances/rw-live/rewind');
    assert.equal(live.status, 409);
    assert.equal(live.body.runtimeStatus, 'Running');
  });
});

describe('POST instances/{id}/restart', () => {
  it('restarts under a new ID by default, with the original input', async () => {
    assert.equal((await post('/orchestrators/FanOutFanIn/rs-1', { json: 3 })).status, 202);
    await waitForCompletion(server.url, 'rs-1');
    const restarted = await post('/instances/rs-1/restart');
    assert.equal(restarted.status, 202);
    assert.notEqual(restarted.body.id, 'rs-1');
    assert.equal(restarted.headers.get('location'), restarted.body.statusQueryGetUri);
    const fresh = await waitForCompletion(server.url, restarted.body.id);
    assert.equal(fresh.name, 'FanOutFanIn');
    assert.equal(fresh.input, 3);
    assert.equal(fresh.output, 6);
  });

  it('restarts under the same ID with restartWithNewInstanceId=false; 409 if live, 400 if unknown', async () => {
    const original = await request(`${m}/instances/rs-1`);
    const same = await post('/instances/rs-1/restart?restartWithNewInstanceId=false');
    assert.equal(same.status, 202);
    assert.equal(same.body.id, 'rs-1');
    const rerun = await waitForStatus(
      server.url,
      'rs-1',
      (s) => s.runtimeStatus === 'Completed' && s.createdTime !== original.body.createdTime,
    );
    assert.equal(rerun.output, 6);
    await startApproval('rs-live');
    const conflict = await post('/instances/rs-live/restart?restartWithNewInstanceId=false');
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.runtimeStatus, 'Running');
    const unknown = await post('/instances/nobody/restart');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.field, 'instanceId');
  });
});
