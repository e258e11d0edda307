/**
 * @module test/durable-functions/df-samples.test
 * Microsoft's Durable Functions JavaScript samples (v4 programming model),
 * written as published into test/fixtures/df-samples/, each served by a real
 * `perdure start <dir>` child process and driven over real HTTP. The apps
 * `require('durable-functions')` and `require('@azure/functions')` (one
 * imports them as ES modules) and are not changed in any way.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { request, waitForCompletion, waitForStatus } from '../helpers/http-client.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

const sample = (name: string) => fileURLToPath(new URL(`../fixtures/df-samples/${name}`, import.meta.url));

async function serve(name: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const dir = createTempDir('perdure-df-');
  const server = await startServer({ app: sample(name), store: `sqlite:${dir.file('app.db')}`, env });
  const stopServer = server[Symbol.asyncDispose];
  return {
    ...server,
    [Symbol.asyncDispose]: async () => {
      await stopServer();
      dir[Symbol.dispose]();
    },
  };
}

async function startVia(server: ServerProcess, path: string, body?: string) {
  const response = await request(`${server.url}${path}`, { method: 'POST', ...(body === undefined ? {} : { body }) });
  assert.equal(response.status, 202, response.text);
  assert.equal(response.headers.get('location'), response.body.statusQueryGetUri);
  assert.equal(response.headers.get('retry-after'), '10');
  return response.body.id as string;
}

describe('Durable Functions samples on perdure start <dir>', () => {
  it('hello sequence: the published HTTP starter, activities, local.settings.json Values in the environment', async () => {
    await using server = await serve('hello-sequence');
    const id = await startVia(server, '/api/orchestrators/helloOrchestrator');
    const status = await waitForCompletion(server.url, id);
    assert.equal(status.runtimeStatus, 'Completed');
    // GREETING_PREFIX comes from the app's local.settings.json.
    assert.deepEqual(status.output, ['Hello, Tokyo', 'Hello, Seattle', 'Hello, Cairo']);
    assert.match(server.output(), /Started orchestration with ID = '[0-9a-f-]{36}'\./);
  });

  it('local.settings.json never overrides a variable that is already set', async () => {
    await using server = await serve('hello-sequence', { GREETING_PREFIX: 'Bonjour' });
    const id = await startVia(server, '/api/orchestrators/helloOrchestrator');
    assert.deepEqual((await waitForCompletion(server.url, id)).output, ['Bonjour, Tokyo', 'Bonjour, Seattle', 'Bonjour, Cairo']);
  });

  it('custom status: the last setCustomStatus is in the instance status', async () => {
    await using server = await serve('custom-status');
    const id = await startVia(server, '/api/orchestrators/E1_HelloSequence');
    const status = await waitForCompletion(server.url, id);
    assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    assert.equal(status.customStatus, 'London');
  });

  it('sub-orchestrations: children under the IDs the parent chose, fanned in with Task.all', async () => {
    await using server = await serve('sub-orchestrations');
    const id = await startVia(server, '/api/orchestrators/ProvisionNewDevices');
    const status = await waitForCompletion(server.url, id);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.deepEqual(
      status.output.map((r: any) => [r.deviceId, r.parent]),
      [
        ['device-1', id],
        ['device-2', id],
        ['device-3', id],
      ],
    );
    const child = await waitForCompletion(server.url, `${id}:1`);
    assert.equal(child.name, 'DeviceProvisioningOrchestration');
    assert.equal(child.output.url, 'https://example.invalid/packages/device-2?sas=1');
  });

  it('retries: callActivityWithRetry absorbs two failures; a caught final failure is DF TaskFailedError', async () => {
    await using server = await serve('retries');
    const flaky = await startVia(server, '/api/orchestrators/callActivityWithRetry');
    const givesUp = await startVia(server, '/api/orchestrators/callActivityWithRetryGivesUp');
    assert.equal((await waitForCompletion(server.url, flaky)).output, 'Succeeded on attempt 3');
    assert.deepEqual((await waitForCompletion(server.url, givesUp)).output, {
      name: 'TaskFailedError',
      message: 'RangeError: The flaky service is down',
      errorType: 'RangeError',
      isTaskFailedError: true,
    });
  });

  it('timer cancellation: the activity wins Task.any, the 30 s timer is cancelled and the instance completes now', async () => {
    await using server = await serve('timer-cancellation');
    const id = await startVia(server, '/api/orchestrators/timerOrchestrator');
    // Well under the timer's 30 s: the deadline proves the cancelled timer does not hold the instance open.
    const status = await waitForCompletion(server.url, id, 20_000);
    assert.deepEqual(status.output, { quote: 42, timerCanceled: true });
  });

  it('HTTP start with waiting (ES module app, host.json routePrefix): 200 with the output, or 202 when time runs out', async () => {
    await using server = await serve('http-sync-start');
    assert.equal((await request(`${server.url}/api/orchestrators/Echo/wait`, { method: 'POST', json: {} })).status, 404);
    const done = await request(`${server.url}/orchestration-api/orchestrators/Echo/wait`, { method: 'POST', json: { text: 'hi' } });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body, 'HI!');

    const waiting = await request(`${server.url}/orchestration-api/orchestrators/Echo/wait?timeout=1&retryInterval=1`, {
      method: 'POST',
      json: { text: 'later', waitForEvent: true },
    });
    assert.equal(waiting.status, 202, waiting.text);
    assert.equal(waiting.headers.get('location'), waiting.body.statusQueryGetUri);
    const raised = await request(waiting.body.sendEventPostUri.replace('{eventName}', 'Continue'), { method: 'POST', json: null });
    assert.equal(raised.status, 202);
    assert.equal((await waitForCompletion(server.url, waiting.body.id)).output, 'LATER!');
  });

  it('singleton starter: 30 concurrent POSTs for one ID create exactly one instance; the rest are 409', async () => {
    await using server = await serve('singleton');
    const url = `${server.url}/api/orchestrators/BackgroundJob/nightly`;
    const responses = await Promise.all(Array.from({ length: 30 }, () => request(url, { method: 'POST', body: 'job input' })));
    const statuses = responses.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 202).length, 1, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 409).length, 29, JSON.stringify(statuses));
    const running = await waitForStatus(server.url, 'nightly', (s) => s?.runtimeStatus === 'Running');
    assert.equal(running.input, 'job input');
    const listed = await request(`${server.url}/runtime/webhooks/durabletask/instances`);
    assert.equal(listed.body.filter((s: any) => s.instanceId === 'nightly').length, 1);

    // As the page says: once it has finished, the same ID can be started again.
    await request(`${server.url}/runtime/webhooks/durabletask/instances/nightly/raiseEvent/Stop`, { method: 'POST', json: 'done' });
    assert.equal((await waitForCompletion(server.url, 'nightly')).output, 'done');
    assert.equal((await request(url, { method: 'POST', body: 'again' })).status, 202);
  });
});

describe('a timer-triggered durable client on perdure start <dir>', () => {
  it('fires on its NCRONTAB schedule and starts orchestrations that complete', async () => {
    await using server = await serve('timer-start');
    const started = () => [...server.output().matchAll(/Timer started orchestration with ID = '([0-9a-f-]{36})'/g)].map((m) => m[1]!);
    const deadline = Date.now() + 60_000;
    while (started().length < 2) {
      assert.ok(Date.now() < deadline, `the timer did not fire twice:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [first, second] = started();
    const [a, b] = [await waitForCompletion(server.url, first!), await waitForCompletion(server.url, second!)];
    assert.equal(a.runtimeStatus, 'Completed');
    assert.match(a.output, /^tick at \d{4}-\d\d-\d\dT/);
    assert.notEqual(a.input, b.input, 'each firing started its own instance with its own time');
  });
});

describe('querying instances with the durable client', () => {
  it('getStatusAll and getStatusBy list instances as DF JS v3 does, times as ISO strings', async () => {
    await using server = await serve('status-query');
    for (const id of ['q-1', 'q-2']) {
      assert.equal((await request(`${server.url}/api/echo/${id}`, { method: 'POST' })).status, 202);
      await waitForCompletion(server.url, id);
    }
    const answer = await request(`${server.url}/api/instances`);
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body.all, ['q-1', 'q-2']);
    assert.deepEqual(answer.body.completed, ['q-1', 'q-2']);
    assert.equal(answer.body.running, 0);
    assert.equal(answer.body.createdTimeType, 'string');
    assert.match(answer.body.createdTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('counter entity: the template signals and reads over HTTP; an orchestration calls and signals it; destructOnExit deletes it', async () => {
    await using server = await serve('counter-entity');
    for (let i = 0; i < 5; i++) {
      const posted = await request(`${server.url}/api/counterEntity/c1`, { method: 'POST' });
      assert.ok(posted.status >= 200 && posted.status < 300, posted.text);
    }
    const deadline = Date.now() + 20_000;
    let read = await request(`${server.url}/api/counterEntity/c1`);
    while (read.body !== 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      read = await request(`${server.url}/api/counterEntity/c1`);
    }
    assert.equal(read.status, 200);
    assert.equal(read.body, 5);
    const started = await request(`${server.url}/runtime/webhooks/durabletask/orchestrators/counterOrchestration`, {
      method: 'POST',
      json: 'c1',
    });
    assert.equal(started.status, 202, started.text);
    const status = await waitForCompletion(server.url, started.body.id);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.deepEqual(status.output, { value: 15, afterReset: 0 });
    const entities = `${server.url}/runtime/webhooks/durabletask/entities/counterEntity`;
    assert.equal((await request(`${entities}/c1`, { method: 'DELETE' })).status, 202);
    let gone = await request(`${entities}/c1`);
    while (gone.status !== 404 && Date.now() < deadline + 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      gone = await request(`${entities}/c1`);
    }
    assert.equal(gone.status, 404, 'destructOnExit deleted the state');
  });
});
