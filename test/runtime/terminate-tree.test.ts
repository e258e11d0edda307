/**
 * @module test/runtime/terminate-tree.test
 * Terminating a parent ends its whole tree of live sub-orchestrations by
 * default, and only the parent with `recursive: false`; on SQLite and on
 * PostgreSQL, through the client and over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, Task, type Host, type OrchestrationContext } from '../../src/index.ts';
import { createFetchHandler } from '../../src/http/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

function buildApp() {
  const app = createApp();
  const leaf = app.orchestration('Leaf', function* (ctx) {
    return yield* ctx.waitForExternalEvent<string>('go');
  });
  const middle = app.orchestration('Middle', function* (ctx: OrchestrationContext) {
    return yield* ctx.callSubOrchestrator(leaf, undefined, `${ctx.instanceId}-leaf`);
  });
  app.orchestration('Root', function* (ctx: OrchestrationContext) {
    const a = ctx.callSubOrchestrator(middle, undefined, `${ctx.instanceId}-a`);
    const b = ctx.callSubOrchestrator(leaf, undefined, `${ctx.instanceId}-b`);
    return yield* Task.all([a, b]);
  });
  return app;
}

const TREE = (root: string) => [root, `${root}-a`, `${root}-a-leaf`, `${root}-b`];

async function statusOf(host: Host, id: string) {
  return (await host.client.getStatus(id))?.runtimeStatus;
}

async function untilStatus(host: Host, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await statusOf(host, id)) !== status) {
    if (Date.now() > deadline) assert.fail(`${id} is ${await statusOf(host, id)}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function startTree(host: Host, root: string): Promise<void> {
  await host.client.startNew('Root', { instanceId: root });
  for (const id of TREE(root)) await untilStatus(host, id, 'Running');
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`terminating a tree on ${kind}`, () => {
    async function withHost(fn: (host: Host) => Promise<void>): Promise<void> {
      using dir = createTempDir('perdure-terminate-');
      await using schema = kind === 'postgres' ? await createTestSchema('term') : undefined;
      const store = schema?.url ?? `sqlite:${dir.file('perdure.db')}`;
      const host = await createHost({ app: buildApp(), store, logger: silentLogger });
      try {
        await fn(host);
      } finally {
        await host.stop();
      }
    }

    it('terminates every live descendant by default, each naming its parent in the reason', () =>
      withHost(async (host) => {
        await startTree(host, 'r1');
        await host.client.terminate('r1', { reason: 'shutting down' });
        for (const id of TREE('r1')) await untilStatus(host, id, 'Terminated');
        assert.equal((await host.client.getStatus('r1'))?.output, 'shutting down');
        assert.match(String((await host.client.getStatus('r1-a'))?.output), /parent instance 'r1' was terminated: shutting down/);
        assert.match(String((await host.client.getStatus('r1-a-leaf'))?.output), /parent instance 'r1-a' was terminated/);
      }));

    it('terminates only the instance with recursive: false, and its children run on', () =>
      withHost(async (host) => {
        await startTree(host, 'r2');
        await host.client.terminate('r2', { recursive: false });
        await untilStatus(host, 'r2', 'Terminated');
        await host.client.raiseEvent('r2-b', 'go', 'still here');
        await untilStatus(host, 'r2-b', 'Completed');
        assert.equal(await statusOf(host, 'r2-a-leaf'), 'Running');
        assert.equal(await statusOf(host, 'r2-a'), 'Running');
      }));

    it('takes recursive over HTTP, and refuses a value that is not a boolean rather than terminate a tree', () =>
      withHost(async (host) => {
        const fetch = createFetchHandler(host);
        await startTree(host, 'r3');
        const base = 'http://127.0.0.1/runtime/webhooks/durabletask/instances/r3/terminate';
        const bad = await fetch(new Request(`${base}?recursive=yes`, { method: 'POST' }));
        assert.equal(bad.status, 400);
        assert.match(await bad.text(), /recursive/);
        assert.equal(await statusOf(host, 'r3'), 'Running', 'a refused request changes nothing');
        const ok = await fetch(new Request(`${base}?recursive=false&reason=only%20me`, { method: 'POST' }));
        assert.equal(ok.status, 202);
        await untilStatus(host, 'r3', 'Terminated');
        assert.equal(await statusOf(host, 'r3-b'), 'Running');
        await host.client.terminate('r3-a');
        for (const id of ['r3-a', 'r3-a-leaf']) await untilStatus(host, id, 'Terminated');
        assert.equal(await statusOf(host, 'r3-b'), 'Running');
      }));
  });
}
