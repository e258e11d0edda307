/**
 * @module test/runtime/start-handoff.test
 * A host's own starts are leased to its worker in the start's transaction
 * and run without a claim; a worker that stopped hands such a start back at
 * once, so another host claims it without waiting for the lease to expire.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, systemClock } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { OrchestrationWorker } from '../../src/worker/orchestration-worker.ts';
import { createTurnGuard } from '../../src/worker/turn-guard.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { buildTestApp } from '../runtime/test-app.ts';

describe('start handoff', () => {
  it('runs the first turn of a local start without claiming it', async () => {
    using dir = createTempDir('perdure-handoff-');
    const store = await openStore(`sqlite:${dir.file('perdure.db')}`);
    const claimed: string[] = [];
    const counting: Store = {
      ...store,
      claimOrchestrations: async (options) => {
        const items = await store.claimOrchestrations(options);
        claimed.push(...items.map((item) => item.instanceId));
        return items;
      },
    };
    const host = await createHost({ app: buildTestApp(), store: counting, logger: silentLogger });
    try {
      await host.client.startNew('HelloSequence', { instanceId: 'local' });
      const status = await host.client.waitForCompletion('local', { timeoutMs: 20_000 });
      assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      assert.deepEqual(claimed, [], 'the whole chained run came from the handed-over first turn');
    } finally {
      await host.stop();
      await store.close();
    }
  });

  it('a stopped worker hands a late start back, and another host completes it at once', async () => {
    using dir = createTempDir('perdure-handoff-');
    const url = `sqlite:${dir.file('perdure.db')}`;
    const store = await openStore(url);
    const app = buildTestApp();
    const worker = new OrchestrationWorker({
      store,
      app,
      clock: systemClock,
      logger: silentLogger,
      owner: 'stopped-host',
      leaseMs: 600_000,
      batchSize: 10,
      sessionCacheSize: 10,
      maxDeliveries: 5,
      guard: createTurnGuard(1_000),
      turnBudgetMs: 1_000,
      onCommitted: () => {},
    });
    worker.close();
    assert.equal(worker.lease(Date.now(), 'HelloSequence'), undefined, 'a closed worker asks for no lease');
    const now = Date.now();
    const [result] = await store.createInstances([
      {
        instanceId: 'late',
        name: 'HelloSequence',
        executionId: 'e1',
        onConflict: 'reject',
        reuseStatuses: [],
        now,
        lease: { owner: 'stopped-host', expiresAt: now + 600_000 },
      },
    ]);
    assert.ok(result?.outcome === 'created' && result.workItem);
    worker.accept(result.workItem);
    const other = await createHost({ app, store: url, logger: silentLogger, maxPollIntervalMs: 50 });
    try {
      const status = await other.client.waitForCompletion('late', { timeoutMs: 20_000 });
      assert.equal(status.runtimeStatus, 'Completed');
    } finally {
      await other.stop();
      await store.close();
    }
  });

  it('a worker leases no start of an orchestration it lacks, and hands back one it is given, unfailed', async () => {
    using dir = createTempDir('perdure-handoff-');
    const url = `sqlite:${dir.file('perdure.db')}`;
    const store = await openStore(url);
    const worker = new OrchestrationWorker({
      store,
      app: createApp(), // the old code: HelloSequence is not registered
      clock: systemClock,
      logger: silentLogger,
      owner: 'old-host',
      leaseMs: 600_000,
      batchSize: 10,
      sessionCacheSize: 10,
      maxDeliveries: 5,
      guard: createTurnGuard(1_000),
      turnBudgetMs: 1_000,
      onCommitted: () => {},
    });
    assert.equal(worker.lease(Date.now(), 'HelloSequence'), undefined, 'no lease for a name the host lacks');
    const now = Date.now();
    const [result] = await store.createInstances([
      {
        instanceId: 'new-code',
        name: 'HelloSequence',
        executionId: 'e1',
        onConflict: 'reject',
        reuseStatuses: [],
        now,
        lease: { owner: 'old-host', expiresAt: now + 600_000 },
      },
    ]);
    assert.ok(result?.outcome === 'created' && result.workItem);
    worker.accept(result.workItem);
    const other = await createHost({ app: buildTestApp(), store: url, logger: silentLogger, maxPollIntervalMs: 50 });
    try {
      const status = await other.client.waitForCompletion('new-code', { timeoutMs: 20_000 });
      assert.equal(status.runtimeStatus, 'Completed', 'handed back at once (the lease was 10 minutes), and run by the host that has it');
    } finally {
      worker.close();
      await other.stop();
      await store.close();
    }
  });
});
