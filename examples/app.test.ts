/**
 * @module examples/app.test
 * Every sample end to end, through the server `npm start` runs (the real
 * CLI serving examples/app.ts on a SQLite file), over HTTP as a user would.
 * What needs time to pass (the approval deadline, the monitor's polling and
 * expiry) is tested with perdure/testing in examples/orchestrations.test.ts,
 * where the clock skips instead of the test waiting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../test/helpers/temp-dir.ts';
import { MANAGEMENT, request, waitForCompletion, waitForStatus } from '../test/helpers/http-client.ts';
import { startServer, type ServerProcess } from '../test/helpers/server-process.ts';

const dir = createTempDir('perdure-examples-');
let server: ServerProcess;

before(async () => {
  server = await startServer({ store: `sqlite:${dir.file('store.db')}` });
});
after(async () => {
  await server?.[Symbol.asyncDispose]();
  dir[Symbol.dispose]();
});

async function start(name: string, id: string, input?: unknown): Promise<void> {
  const response = await request(`${server.url}/api/orchestrators/${name}/${id}`, {
    method: 'POST',
    ...(input === undefined ? {} : { json: input }),
  });
  assert.equal(response.status, 202, response.text);
}

const raise = (id: string, data: unknown) =>
  request(`${server.url}${MANAGEMENT}/instances/${id}/raiseEvent/Approval`, { method: 'POST', json: data });

describe('examples', () => {
  it('HelloSequence greets three cities in order', async () => {
    await start('HelloSequence', 'hello-1');
    const status = await waitForCompletion(server.url, 'hello-1');
    assert.equal(status.runtimeStatus, 'Completed');
    assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('FanOutFanIn sums n parallel activities', async () => {
    await start('FanOutFanIn', 'fan-20', 20);
    assert.equal((await waitForCompletion(server.url, 'fan-20')).output, 210);
    await start('FanOutFanIn', 'fan-slow', { n: 5, delayMs: 200 });
    assert.equal((await waitForCompletion(server.url, 'fan-slow')).output, 15);
  });

  it('ApprovalWorkflow: approved and rejected by the event, before the timer', async () => {
    await start('ApprovalWorkflow', 'approve-yes', { timeoutSeconds: 600 });
    await start('ApprovalWorkflow', 'approve-bool', { timeoutSeconds: 600 });
    await start('ApprovalWorkflow', 'approve-no', { timeoutSeconds: 600 });
    for (const id of ['approve-yes', 'approve-bool', 'approve-no'])
      await waitForStatus(server.url, id, (s) => s.runtimeStatus === 'Running');
    assert.equal((await raise('approve-yes', { approved: true })).status, 202);
    assert.equal((await raise('approve-bool', true)).status, 202);
    assert.equal((await raise('approve-no', { approved: false })).status, 202);
    // Completing within the 600 s timeout shows the cancelled timer no longer holds the instance open.
    assert.equal((await waitForCompletion(server.url, 'approve-yes')).output, 'approved');
    assert.equal((await waitForCompletion(server.url, 'approve-bool')).output, 'approved');
    assert.equal((await waitForCompletion(server.url, 'approve-no')).output, 'rejected');
  });

  it('ParentWithChildren aggregates its sub-orchestrations, each under its own ID', async () => {
    await start('ParentWithChildren', 'parent-1', { cities: ['Oslo', 'Lima'] });
    const status = await waitForCompletion(server.url, 'parent-1');
    assert.deepEqual(status.output, {
      count: 2,
      greetings: ['Hello Oslo!', 'Hello Lima!'],
      childInstanceIds: ['parent-1-child-0', 'parent-1-child-1'],
    });
    const child = await request(`${server.url}${MANAGEMENT}/instances/parent-1-child-1`);
    assert.equal(child.status, 200);
    assert.equal(child.body.name, 'GreetCity');
    assert.deepEqual(child.body.output, { city: 'Lima', greeting: 'Hello Lima!' });
  });

  it('HttpStartAndWait answers 200 with the output of a quick orchestration', async () => {
    const response = await request(`${server.url}/api/start-and-wait/HelloSequence`, { method: 'POST' });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('HttpStartAndWait answers 202 with the check-status body when the wait runs out', async () => {
    const response = await request(`${server.url}/api/start-and-wait/ApprovalWorkflow?timeoutMs=200`, {
      method: 'POST',
      json: { timeoutSeconds: 600 },
    });
    assert.equal(response.status, 202);
    assert.equal(response.headers.get('location'), response.body.statusQueryGetUri);
    const status = await request(response.body.statusQueryGetUri);
    assert.equal(status.status, 202);
    assert.equal(status.body.name, 'ApprovalWorkflow');
    const bad = await request(`${server.url}/api/start-and-wait/HelloSequence?timeoutMs=soon`, { method: 'POST' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'timeoutMs');
  });

  it('entities: the counter counts signals; opposite transfers between two accounts both finish and conserve the total', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await request(`${server.url}/api/counter/visits`, { method: 'POST', json: 2 })).status, 202);
    const deadline = Date.now() + 20_000;
    let value = (await request(`${server.url}/api/counter/visits`)).body;
    while (value !== 10 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      value = (await request(`${server.url}/api/counter/visits`)).body;
    }
    assert.equal(value, 10);
    const entities = `${server.url}${MANAGEMENT}/entities/account`;
    assert.equal((await request(`${entities}/alice?op=deposit`, { method: 'POST', json: 100 })).status, 202);
    assert.equal((await request(`${entities}/bob?op=deposit`, { method: 'POST', json: 50 })).status, 202);
    await start('Transfer', 'pay-bob', { from: 'alice', to: 'bob', amount: 30 });
    await start('Transfer', 'pay-alice', { from: 'bob', to: 'alice', amount: 60 });
    assert.equal((await waitForCompletion(server.url, 'pay-bob')).output.transferred, true);
    assert.equal((await waitForCompletion(server.url, 'pay-alice')).output.transferred, true);
    let alice = await request(`${entities}/alice`);
    let bob = await request(`${entities}/bob`);
    while (alice.body + bob.body !== 150 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      [alice, bob] = [await request(`${entities}/alice`), await request(`${entities}/bob`)];
    }
    assert.deepEqual([alice.body, bob.body], [130, 20]);
  });
});
