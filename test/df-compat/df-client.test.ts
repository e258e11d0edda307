/**
 * @module test/df-compat/df-client.test
 * The real `durable-functions` v3 client (node_modules/durable-functions)
 * drives every management call against a real Perdure server on loopback.
 * The client is built by `df.getClient(context)` from client-binding data,
 * a JSON document shaped as the Functions host provides it
 * (BindingHelper.cs: taskHubName, creationUrls, managementUrls, baseUrl,
 * requiredQueryStringParameters, rpcBaseUrl), in three ways:
 *
 * - `host binding`: the legacy URL templates exactly as Durable Functions
 *   writes them (`?taskHub=…&connection=…&code=…`), against a server with a
 *   host key;
 * - `rpcBaseUrl`: the route the JS client prefers when the binding has it;
 * - `perdure payload`: templates made from Perdure's own check-status body
 *   on a server without a key, whose URLs carry no query, so the client
 *   appends its parameters with `&` to the path.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import azureFunctions from '@azure/functions';
import * as df from 'durable-functions';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request } from '../helpers/http-client.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';

// A bundled CommonJS module: Node cannot see its named exports from ESM.
const { HttpRequest, InvocationContext } = azureFunctions;
const TEST_APP = new URL('../http/fixtures/test-app.ts', import.meta.url).pathname;
const KEY = 'df-client-test-key';
const HUB = 'PerdureHub';
const dir = createTempDir('perdure-df-client-');
let keyed: ServerProcess;
let open: ServerProcess;

/** Both servers and Perdure's payload, set up once for every suite (a root `before` may run after a suite's). */
let ready: Promise<void> | undefined;
function setUp(): Promise<void> {
  return (ready ??= (async () => {
    [keyed, open] = await Promise.all([
      startServer({ app: TEST_APP, store: `sqlite:${dir.file('keyed.db')}`, env: { PERDURE_HOST_KEY: KEY } }),
      startServer({ app: TEST_APP, store: `sqlite:${dir.file('open.db')}` }),
    ]);
    const started = await request(`${open.url}${MANAGEMENT}/orchestrators/Echo/payload-source`, { method: 'POST' });
    assert.equal(started.status, 202);
    perdurePayload = started.body;
    assert.equal(perdurePayload!.statusQueryGetUri, `${open.url}${MANAGEMENT}/instances/payload-source`, 'no query without a key');
  })());
}
after(async () => {
  await keyed?.[Symbol.asyncDispose]();
  await open?.[Symbol.asyncDispose]();
  dir[Symbol.dispose]();
});

type ClientData = Record<string, unknown>;

/** What Durable Functions' BindingHelper hands a JS function for a durableClient input. */
function hostBinding(origin: string): ClientData {
  const baseUrl = `${origin}${MANAGEMENT}`;
  const instance = `${baseUrl}/instances/INSTANCEID`;
  const q = `taskHub=${HUB}&connection=Storage&code=${KEY}`;
  return {
    taskHubName: HUB,
    creationUrls: {
      createNewInstancePostUri: `${baseUrl}/orchestrators/{functionName}[/{instanceId}]?code=${KEY}`,
      createAndWaitOnNewInstancePostUri: `${baseUrl}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${KEY}`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: `${instance}?${q}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${q}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${q}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${q}`,
      purgeHistoryDeleteUri: `${instance}?${q}`,
      restartPostUri: `${instance}/restart?${q}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${q}`,
      resumePostUri: `${instance}/resume?reason={text}&${q}`,
    },
    baseUrl,
    requiredQueryStringParameters: `code=${KEY}`,
    rpcBaseUrl: null,
    httpBaseUrl: null,
    connectionName: 'Storage',
  };
}

function rpcBinding(origin: string): ClientData {
  return { ...perdureBinding(origin), rpcBaseUrl: `${origin}${MANAGEMENT}/` };
}

/** Templates made from a check-status body Perdure gave for a real start. */
let perdurePayload: Record<string, string> | undefined;
function perdureBinding(origin: string): ClientData {
  const managementUrls = Object.fromEntries(
    Object.entries(perdurePayload!).map(([key, value]) => [key, value.split('payload-source').join('INSTANCEID')]),
  );
  const baseUrl = `${origin}${MANAGEMENT}`;
  return {
    taskHubName: HUB,
    creationUrls: { createNewInstancePostUri: `${baseUrl}/orchestrators/{functionName}[/{instanceId}]` },
    managementUrls,
    baseUrl,
    requiredQueryStringParameters: '',
  };
}

/** `df.getClient` reads the binding as the Functions host delivers it: a JSON document on the context. */
function getClient(server: ServerProcess, data: ClientData): df.DurableClient {
  process.env.WEBSITE_HOSTNAME = new URL(server.url).host;
  const clientInput = df.input.durableClient();
  const context = new InvocationContext({ functionName: 'HttpStart', options: { extraInputs: [clientInput] } });
  context.extraInputs.set(clientInput, JSON.parse(JSON.stringify(data)));
  return df.getClient(context);
}

const MODES = [
  { name: 'host binding', server: () => keyed, data: (origin: string) => hostBinding(origin) },
  { name: 'rpcBaseUrl', server: () => open, data: (origin: string) => rpcBinding(origin) },
  { name: 'perdure payload', server: () => open, data: (origin: string) => perdureBinding(origin) },
];

async function settled(client: df.DurableClient, id: string, done = (s: string) => ['Completed', 'Failed', 'Terminated'].includes(s)) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await client.getStatus(id);
    if (done(status.runtimeStatus)) return status;
    if (Date.now() > deadline) throw new Error(`${id} stayed ${status.runtimeStatus}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

for (const mode of MODES) {
  describe(`durable-functions v3 client, ${mode.name}`, () => {
    let client: df.DurableClient;
    let server: ServerProcess;
    const p = mode.name.replace(/\s+/g, '-');
    const req = () => new HttpRequest({ url: `${server.url}/api/start`, method: 'POST' });
    before(async () => {
      await setUp();
      server = mode.server();
      client = getClient(server, mode.data(server.url));
    });

    it('startNew resolves to the instance ID; getStatus gives a DurableOrchestrationStatus, with history asked for', async () => {
      const id = await client.startNew('HelloSequence', { input: { note: 'x' } });
      assert.match(id, /^[0-9a-f-]{36}$/);
      const chosen = await client.startNew('HelloSequence', { instanceId: `${p}-hello` });
      assert.equal(chosen, `${p}-hello`);
      const status = await settled(client, chosen);
      assert.equal(status.runtimeStatus, df.OrchestrationRuntimeStatus.Completed);
      assert.ok(status.createdTime instanceof Date && !Number.isNaN(status.createdTime.getTime()));
      assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      const withHistory = await client.getStatus(chosen, { showHistory: true, showHistoryOutput: true, showInput: false });
      assert.equal(withHistory.runtimeStatus, 'Completed');
      assert.deepEqual((await client.getStatus(id, { showInput: true })).input, { note: 'x' });
    });

    it('getStatus of an unknown ID throws as the JS client does on 404; startNew of an unknown function rejects (400)', async () => {
      await assert.rejects(
        client.getStatus(`${p}-nobody`),
        new RegExp(`replied with HTTP 404 response.*instanceId provided: ${p}-nobody\\.`),
      );
      await assert.rejects(client.startNew('NoSuchOrchestration'), /unexpected status code: 400/);
    });

    it('getStatusAll and getStatusBy follow x-ms-continuation-token across pages', async () => {
      const from = new Date();
      const ids: string[] = [];
      for (let i = 0; i < 105; i++) ids.push(await client.startNew('Echo', { instanceId: `${p}-page-${i}`, input: i }));
      for (const id of [ids[0]!, ids[104]!]) await settled(client, id);
      await waitForAll(client, from, 105);
      const by = await client.getStatusBy({ createdTimeFrom: from, runtimeStatus: [df.OrchestrationRuntimeStatus.Completed] });
      assert.equal(by.length, 105, 'more than one page of 100 (the default top), concatenated');
      assert.equal(new Set(by.map((s) => s.instanceId)).size, 105);
      assert.ok(
        by.every((s) => s.input === Number(s.instanceId.split('-').pop())),
        'inputs are shown by default',
      );
      const all = await client.getStatusAll();
      assert.ok(ids.every((id) => all.some((s) => s.instanceId === id)));
      const none = await client.getStatusBy({ createdTimeFrom: from, runtimeStatus: [df.OrchestrationRuntimeStatus.Canceled] });
      assert.deepEqual(none, []);
    });

    it('raiseEvent delivers to a live instance, is ignored once it finished (410), and rejects for an unknown ID', async () => {
      const id = await client.startNew('ApprovalWorkflow', { instanceId: `${p}-approval`, input: { timeoutSeconds: 600 } });
      await settled(client, id, (s) => s === 'Running');
      await client.raiseEvent(id, 'Approval', { approved: true });
      assert.equal((await settled(client, id)).output, 'approved');
      await client.raiseEvent(id, 'Approval', true);
      await assert.rejects(client.raiseEvent(`${p}-nobody`, 'Approval', true), new RegExp(`No instance with ID '${p}-nobody' found.`));
    });

    it('suspend, resume and terminate; terminate of a finished instance resolves (410)', async () => {
      const id = await client.startNew('ApprovalWorkflow', { instanceId: `${p}-control`, input: { timeoutSeconds: 600 } });
      await settled(client, id, (s) => s === 'Running');
      await client.suspend(id, 'pause');
      await settled(client, id, (s) => s === 'Suspended');
      await client.resume(id, 'go');
      await settled(client, id, (s) => s === 'Running');
      await client.terminate(id, 'enough');
      const terminated = await settled(client, id);
      assert.equal(terminated.runtimeStatus, 'Terminated');
      assert.equal(terminated.output, 'enough');
      await client.terminate(id, 'again');
      await assert.rejects(client.terminate(`${p}-nobody`, 'x'), /No instance with ID/);
    });

    it('rewind retries a Failed instance to completion and rejects for a Completed one', async () => {
      const flag = dir.file(`${p}-flag`);
      const id = await client.startNew('Rewindable', { instanceId: `${p}-rewind`, input: flag });
      assert.equal((await settled(client, id)).runtimeStatus, 'Failed');
      writeFileSync(flag, 'ok');
      await client.rewind(id, 'fixed');
      const rewound = await settled(client, id, (s) => s === 'Completed');
      assert.equal(rewound.output, 'recovered');
      await assert.rejects(client.rewind(id, 'again'), /unexpected status code: 410/);
    });

    it('restart (no JS method: its management URL) starts again, and waits with timeout', async () => {
      const id = await client.startNew('Echo', { instanceId: `${p}-restart`, input: 7 });
      await settled(client, id);
      // The JS types leave restartPostUri out; the payload carries every URL of the binding's managementUrls.
      const links = client.createHttpManagementPayload(id) as unknown as { restartPostUri: string };
      const restarted = await request(links.restartPostUri, { method: 'POST' });
      assert.equal(restarted.status, 202);
      assert.notEqual(restarted.body.id, id);
      assert.equal((await settled(client, restarted.body.id)).output, 7);
      const waited = await request(`${links.restartPostUri}${links.restartPostUri.includes('?') ? '&' : '?'}timeout=30`, {
        method: 'POST',
      });
      assert.equal(waited.status, 200);
      assert.equal(waited.body, 7);
    });

    it('purgeInstanceHistory and purgeInstanceHistoryBy; 404 reads as nothing deleted', async () => {
      const from = new Date();
      const one = await client.startNew('Echo', { instanceId: `${p}-purge-1`, input: 1 });
      const two = await client.startNew('Echo', { instanceId: `${p}-purge-2`, input: 2 });
      await settled(client, one);
      await settled(client, two);
      assert.deepEqual(await client.purgeInstanceHistory(one), { instancesDeleted: 1 });
      assert.equal((await client.purgeInstanceHistory(one)).instancesDeleted, 0);
      const purged = await client.purgeInstanceHistoryBy({
        createdTimeFrom: from,
        runtimeStatus: [df.OrchestrationRuntimeStatus.Completed],
      });
      assert.equal(purged.instancesDeleted, 1);
      assert.equal((await client.purgeInstanceHistoryBy({ createdTimeFrom: from })).instancesDeleted, 0);
      await assert.rejects(client.getStatus(two), /404/);
    });

    it('waitForCompletionOrCreateCheckStatusResponse: 200 output, 200 Terminated, 500 Failed, 202 while running', async () => {
      const done = await client.startNew('Echo', { instanceId: `${p}-wait-done`, input: 'out' });
      const completed = await client.waitForCompletionOrCreateCheckStatusResponse(req(), done, { timeoutInMilliseconds: 30_000 });
      assert.equal(completed.status, 200);
      assert.equal(await completed.json(), 'out');

      const live = await client.startNew('ApprovalWorkflow', { instanceId: `${p}-wait-live`, input: { timeoutSeconds: 600 } });
      const running = await client.waitForCompletionOrCreateCheckStatusResponse(req(), live, {
        timeoutInMilliseconds: 100,
        retryIntervalInMilliseconds: 50,
      });
      assert.equal(running.status, 202);
      const links = (await running.json()) as Record<string, string>;
      assert.equal(running.headers.get('location'), links.statusQueryGetUri);
      await client.terminate(live, 'stop');
      await settled(client, live);
      const terminated = await client.waitForCompletionOrCreateCheckStatusResponse(req(), live);
      assert.equal(terminated.status, 200);
      assert.equal(((await terminated.json()) as { runtimeStatus: string }).runtimeStatus, 'Terminated');

      const failing = await client.startNew('AlwaysFails', { instanceId: `${p}-wait-failed` });
      const failed = await client.waitForCompletionOrCreateCheckStatusResponse(req(), failing, { timeoutInMilliseconds: 30_000 });
      assert.equal(failed.status, 500);
    });

    it('createCheckStatusResponse gives URLs the server answers, with parameters appended as the client appends them', async () => {
      const id = await client.startNew('HelloSequence', { instanceId: `${p}-links` });
      await settled(client, id);
      const response = client.createCheckStatusResponse(req(), id);
      assert.equal(response.status, 202);
      const links = (await response.json()) as { statusQueryGetUri: string; sendEventPostUri: string };
      assert.equal(response.headers.get('location'), links.statusQueryGetUri);
      const status = await request(`${links.statusQueryGetUri}&showHistory=true&showHistoryOutput=true`);
      assert.equal(status.status, 200, status.text);
      assert.equal(status.body.instanceId, id);
      assert.deepEqual(
        status.body.historyEvents.map((e: { EventType: string }) => e.EventType),
        ['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted'],
      );
      assert.equal(status.body.historyEvents[1].Result, 'Hello Tokyo!');
      const event = await request(links.sendEventPostUri.replace('{eventName}', 'Nothing'), { method: 'POST', json: 1 });
      assert.equal(event.status, 410, 'finished');
    });
  });
}

async function waitForAll(client: df.DurableClient, from: Date, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const done = await client.getStatusBy({ createdTimeFrom: from, runtimeStatus: [df.OrchestrationRuntimeStatus.Completed] });
    if (done.length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${count} instances completed`);
}
