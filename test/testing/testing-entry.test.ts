/**
 * @module test/testing/testing-entry.test
 * `perdure/testing` as a user's test uses it: a host on the in-memory store
 * with a manual clock runs a durable timer only when the test moves time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost } from 'perdure';
import { createManualClock, openMemoryStore, silentLogger } from 'perdure/testing';

describe('perdure/testing', () => {
  it('runs a timer orchestration on the in-memory store when the manual clock moves', async () => {
    const app = createApp();
    app.orchestration('Wait', function* (ctx) {
      yield* ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 60_000));
      return 'done';
    });
    const clock = createManualClock();
    await using host = await createHost({ app, store: await openMemoryStore(), clock, logger: silentLogger });
    const { instanceId } = await host.client.startNew('Wait');
    await assert.rejects(host.client.waitForCompletion(instanceId, { timeoutMs: 200 }), { name: 'WaitForCompletionTimeoutError' });
    clock.advance(60_000);
    host.wake();
    const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    assert.equal(status.output, 'done');
  });

  it('gives each call its own store, not shared with the next', async () => {
    const app = createApp();
    // An orchestrator must be a generator function even when it returns before waiting for anything.
    // eslint-disable-next-line require-yield -- see above
    app.orchestration('Noop', function* () {
      return 1;
    });
    const second = await openMemoryStore();
    {
      await using host = await createHost({ app, store: await openMemoryStore(), logger: silentLogger });
      await host.client.startNew('Noop', { instanceId: 'only-in-first' });
      assert.equal((await host.store.listInstances({ pageSize: 10 })).instances.length, 1);
    }
    assert.deepEqual((await second.listInstances({ pageSize: 10 })).instances, []);
    await second.close();
  });
});
