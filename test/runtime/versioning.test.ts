/**
 * @module test/runtime/versioning.test
 * Orchestration versions end to end, on SQLite and on PostgreSQL: the
 * version of a start (or the host's defaultVersion) shows in ctx.version and
 * in getStatus, children inherit it or take their own, and a host never runs
 * an instance newer than its code: 'reject' leaves it untouched for a newer
 * host, 'fail' fails it naming both versions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, Task, type Host, type HostOptions, type OrchestrationContext } from '../../src/index.ts';
import { createFetchHandler } from '../../src/http/index.ts';
import { silentLogger, type Logger } from '../../src/runtime/logger.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

function buildApp() {
  const app = createApp();
  const child = app.orchestration('Child', function* (ctx: OrchestrationContext) {
    yield* ctx.createTimer(ctx.currentUtcDateTime.getTime());
    return ctx.version;
  });
  app.orchestration('Parent', function* (ctx: OrchestrationContext) {
    const inherited = ctx.callSubOrchestrator(child, undefined, `${ctx.instanceId}-inherit`);
    const own = ctx.callSubOrchestrator(child, undefined, { instanceId: `${ctx.instanceId}-own`, version: '0.9' });
    return [ctx.version, ...(yield* Task.all([inherited, own]))];
  });
  return app;
}

async function untilDone(host: Host, id: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await host.client.getStatus(id);
    if (status && ['Completed', 'Failed'].includes(status.runtimeStatus)) return status;
    if (Date.now() > deadline) assert.fail(`${id} is ${status?.runtimeStatus}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`orchestration versions on ${kind}`, () => {
    async function withStore(fn: (open: (options: Partial<HostOptions>) => Promise<Host>) => Promise<void>): Promise<void> {
      using dir = createTempDir('perdure-versions-');
      await using schema = kind === 'postgres' ? await createTestSchema('vers') : undefined;
      const store = schema?.url ?? `sqlite:${dir.file('perdure.db')}`;
      const hosts: Host[] = [];
      try {
        await fn(async (options) => {
          const host = await createHost({ app: buildApp(), store, logger: silentLogger, ...options });
          hosts.push(host);
          return host;
        });
      } finally {
        for (const host of hosts) await host.stop();
      }
    }

    it('stamps the start version (or defaultVersion) on the instance, its status and its children', () =>
      withStore(async (open) => {
        const host = await open({ defaultVersion: '3' });
        await host.client.startNew('Parent', { instanceId: 'p1', version: '1.0' });
        await host.client.startNew('Parent', { instanceId: 'p2' });
        const p1 = await untilDone(host, 'p1');
        assert.deepEqual(p1.output, ['1.0', '1.0', '0.9']);
        assert.equal(p1.version, '1.0');
        assert.equal((await host.client.getStatus('p1-inherit'))?.version, '1.0');
        assert.equal((await host.client.getStatus('p1-own'))?.version, '0.9');
        assert.deepEqual((await untilDone(host, 'p2')).output, ['3', '3', '0.9']);
        const history = await host.client.getHistory('p2');
        assert.deepEqual(
          history.find((e) => e.type === 'ExecutionStarted'),
          { ...history.find((e) => e.type === 'ExecutionStarted'), version: '3' },
        );
      }));

    it('takes a version on the HTTP start route (?version=) and shows it in the status route', () =>
      withStore(async (open) => {
        const host = await open({});
        const fetch = createFetchHandler(host);
        const base = 'http://127.0.0.1/runtime/webhooks/durabletask';
        const started = await fetch(new Request(`${base}/orchestrators/Parent/h1?version=4.2`, { method: 'POST' }));
        assert.equal(started.status, 202);
        await untilDone(host, 'h1');
        const body = (await (await fetch(new Request(`${base}/instances/h1`))).json()) as { version?: string; output: unknown };
        assert.equal(body.version, '4.2');
        assert.deepEqual(body.output, ['4.2', '4.2', '0.9']);
        const bad = await fetch(new Request(`${base}/orchestrators/Parent/h2?version=%01`, { method: 'POST' }));
        assert.equal(bad.status, 400);
      }));

    it("'reject' leaves an instance newer than the host's code untouched until a host that accepts it runs it", () =>
      withStore(async (open) => {
        let refused!: () => void;
        const warned = new Promise<void>((resolve) => (refused = resolve));
        const logger: Logger = { ...silentLogger, warn: (message) => message.includes("at version '2.0'") && refused() };
        const old = await open({ defaultVersion: '1.0', logger });
        await old.client.startNew('Parent', { instanceId: 'newer', version: '2.0' });
        await warned;
        const status = await old.client.getStatus('newer');
        assert.equal(status?.runtimeStatus, 'Pending', 'not failed, not run');
        assert.deepEqual(await old.client.getHistory('newer'), []);
        await old.stop();
        const current = await open({ defaultVersion: '2.0' });
        const done = await untilDone(current, 'newer');
        assert.equal(done.runtimeStatus, 'Completed');
        assert.deepEqual(done.output, ['2.0', '2.0', '0.9']);
      }));

    it("'fail' fails an instance the host must not run, naming both versions", () =>
      withStore(async (open) => {
        const host = await open({ defaultVersion: '1.0', versionMatch: 'strict', onVersionMismatch: 'fail' });
        await host.client.startNew('Parent', { instanceId: 'older', version: '0.5' });
        const status = await untilDone(host, 'older');
        assert.equal(status.runtimeStatus, 'Failed');
        assert.equal(status.failureDetails?.name, 'VersionMismatchError');
        assert.match(status.failureDetails?.message ?? '', /'Parent' is at version '0\.5', but this host runs version '1\.0'/);
      }));

    it('answers bad versioning options and versions with a ValidationError', () =>
      withStore(async (open) => {
        await assert.rejects(open({ versionMatch: 'major' as never }), { name: 'ValidationError', field: 'versionMatch' });
        await assert.rejects(open({ onVersionMismatch: 'retry' as never }), { name: 'ValidationError', field: 'onVersionMismatch' });
        const host = await open({});
        await assert.rejects(host.client.startNew('Parent', { version: 2 as never }), { name: 'ValidationError', field: 'version' });
      }));
  });
}
