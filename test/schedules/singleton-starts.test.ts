/**
 * @module test/schedules/singleton-starts.test
 * The singleton start features through a real host, on a SQLite file and on
 * PostgreSQL: 200 concurrent retries of one idempotent start, a 1,000-update
 * burst on a coalescing singleton, name and input mismatch, signal-with-start.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, InstanceAlreadyExistsError, type Host } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { STORES } from './schedule-hosts.ts';

function singletonApp(runs: unknown[], gate: Promise<void>) {
  const app = createApp();
  const record = app.activity('Record', async (input: unknown) => {
    runs.push(input);
    await gate;
  });
  // The recompute job: its activity holds the first run until the test opens the gate, so the whole burst meets a live run.
  app.orchestration('Recompute', function* (ctx) {
    yield* ctx.callActivity(record, ctx.getInput());
    return ctx.getInput();
  });
  app.orchestration('Inbox', function* (ctx) {
    return yield* ctx.waitForExternalEvent('mail');
  });
  app.orchestration('Other', function* (ctx) {
    return yield* ctx.waitForExternalEvent('never');
  });
  return app;
}

for (const store of STORES) {
  describe(`singleton starts on ${store.name}`, () => {
    async function withHost(run: (host: Host, runs: unknown[], openGate: () => void) => Promise<void>) {
      await using url = await store.open();
      const runs: unknown[] = [];
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      await using host = await createHost({ app: singletonApp(runs, gate), store: url.url, logger: silentLogger });
      await run(host, runs, open);
    }

    it('200 concurrent retries of one request: one created, 199 existing with sameRequest, no 409', () =>
      withHost(async (host) => {
        const request = { instanceId: 'order-1', requestId: 'req-1', input: 'x' };
        const results = await Promise.all(Array.from({ length: 200 }, () => host.client.startNew('Inbox', request)));
        assert.equal(results.filter((r) => r.outcome === 'created').length, 1);
        const repeats = results.filter((r) => r.outcome === 'existing');
        assert.equal(repeats.length, 199);
        assert.ok(repeats.every((r) => r.sameRequest === true && r.name === 'Inbox'));
        // Another request for the live ID is still a conflict, with the existing name.
        await assert.rejects(host.client.startNew('Inbox', { instanceId: 'order-1', requestId: 'req-2' }), (error) => {
          assert.ok(error instanceof InstanceAlreadyExistsError);
          return error.reason === 'exists' && error.existing.name === 'Inbox';
        });
      }));

    it('1,000 queueLatest updates in a burst: exactly two runs, the second with the last input', () =>
      withHost(async (host, runs, openGate) => {
        const starts = [];
        for (let i = 0; i < 1_000; i++) {
          starts.push(host.client.startNew('Recompute', { instanceId: 'recompute', input: i, onConflict: 'queueLatest' }));
        }
        const results = await Promise.all(starts);
        assert.equal(results.filter((r) => r.outcome === 'created').length, 1);
        assert.equal(results.filter((r) => r.outcome === 'queued').length, 999);
        assert.equal((await host.client.getPendingStart('recompute'))?.input, 999, 'the pending start holds the newest input');
        openGate();
        const deadline = Date.now() + 30_000;
        while (runs.length < 2 || (await host.client.getStatus('recompute'))?.runtimeStatus !== 'Completed') {
          assert.ok(Date.now() < deadline, `runs so far: ${JSON.stringify(runs)}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.deepEqual(runs, [0, 999]);
        assert.equal((await host.client.getStatus('recompute'))?.output, 999);
        assert.equal(await host.client.getPendingStart('recompute'), undefined);
      }));

    it('useExisting with another orchestration name, or other input with onInputMismatch, is refused', () =>
      withHost(async (host) => {
        await host.client.startNew('Inbox', { instanceId: 'a', input: { x: 1, y: [2] } });
        await assert.rejects(host.client.startNew('Other', { instanceId: 'a', onConflict: 'useExisting' }), (error) => {
          assert.ok(error instanceof InstanceAlreadyExistsError);
          return error.reason === 'nameMismatch' && error.existing.name === 'Inbox';
        });
        // Same value, other key order: the canonical digest matches.
        const same = await host.client.startNew('Inbox', {
          instanceId: 'a',
          input: { y: [2], x: 1 },
          onConflict: 'useExisting',
          onInputMismatch: 'error',
        });
        assert.equal(same.outcome, 'existing');
        await assert.rejects(
          host.client.startNew('Inbox', { instanceId: 'a', input: { x: 2 }, onConflict: 'useExisting', onInputMismatch: 'error' }),
          (error) => error instanceof InstanceAlreadyExistsError && error.reason === 'inputMismatch',
        );
      }));

    it('signal-with-start starts the instance and delivers the event in one call', () =>
      withHost(async (host) => {
        const result = await host.client.startNew('Inbox', { instanceId: 'box', event: { name: 'mail', data: 'hello' } });
        assert.deepEqual([result.outcome, result.eventDelivered], ['created', true]);
        assert.equal((await host.client.waitForCompletion('box', { timeoutMs: 20_000 })).output, 'hello');
        await host.client.startNew('Inbox', { instanceId: 'box2' });
        const joined = await host.client.startNew('Inbox', {
          instanceId: 'box2',
          onConflict: 'useExisting',
          event: { name: 'mail', data: 2 },
        });
        assert.deepEqual([joined.outcome, joined.eventDelivered], ['existing', true]);
        assert.equal((await host.client.waitForCompletion('box2', { timeoutMs: 20_000 })).output, 2);
      }));

    it('ID tombstones: a purged reuseStatuses [] instance keeps its ID until releaseInstanceId', () =>
      withHost(async (host) => {
        const once = { instanceId: 'pay-1', reuseStatuses: [] as const, event: { name: 'mail', data: 1 } };
        await host.client.startNew('Inbox', once);
        await host.client.waitForCompletion('pay-1', { timeoutMs: 20_000 });
        assert.equal((await host.client.purgeInstanceHistory('pay-1')).instancesDeleted, 1);
        await assert.rejects(host.client.startNew('Inbox', once), (error) => {
          assert.ok(error instanceof InstanceAlreadyExistsError);
          assert.equal(error.reason, 'tombstone');
          assert.match(error.message, /pay-1.*tombstone/);
          return error.existing.name === 'Inbox' && error.existing.runtimeStatus === 'Completed' && error.existing.purgedTime !== undefined;
        });
        const released = await host.client.releaseInstanceId('pay-1');
        assert.deepEqual([released.released, released.tombstone?.instanceId], [true, 'pay-1']);
        assert.deepEqual(await host.client.releaseInstanceId('pay-1'), { released: false });
        assert.equal((await host.client.startNew('Inbox', once)).outcome, 'created');
        // A filtered purge keeps the tombstone too; a start allowed to reuse Completed takes the ID back.
        await host.client.waitForCompletion('pay-1', { timeoutMs: 20_000 });
        await host.client.purgeInstances({ runtimeStatus: ['Completed'] });
        await assert.rejects(host.client.startNew('Inbox', once), (error) => error instanceof InstanceAlreadyExistsError);
        assert.equal((await host.client.startNew('Inbox', { instanceId: 'pay-1' })).outcome, 'created');
      }));
  });
}
