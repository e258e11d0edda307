import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createHost,
  createManualClock,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidInstanceStateError,
  ValidationError,
  FunctionNotFoundError,
} from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { buildTestApp } from './test-app.ts';

async function withHost<T>(
  fn: (host: Awaited<ReturnType<typeof createHost>>) => Promise<T>,
  extra: Partial<Parameters<typeof createHost>[0]> = {},
): Promise<T> {
  using dir = createTempDir('perdure-engine-');
  const host = await createHost({ app: buildTestApp(), store: `sqlite:${dir.file('perdure.db')}`, logger: silentLogger, ...extra });
  try {
    return await fn(host);
  } finally {
    await host.stop();
  }
}

describe('engine on SQLite', () => {
  it('runs HelloSequence to completion with typed results', () =>
    withHost(async ({ client }) => {
      const { instanceId, outcome } = await client.startNew('HelloSequence', { instanceId: 'nightly' });
      assert.equal(outcome, 'created');
      const status = await client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
      assert.equal(status.runtimeStatus, 'Completed');
      assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      const withHistory = await client.getStatus(instanceId, { showHistory: true, showHistoryOutput: true });
      assert.equal(withHistory?.historyEvents?.filter((e) => e.type === 'TaskCompleted').length, 3);
    }));

  it('fans out to 200 activities and sums them', () =>
    withHost(async ({ client }) => {
      const { instanceId } = await client.startNew('FanOut', { input: 200 });
      const status = await client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
      assert.equal(status.output, 199 * 200);
    }));

  it('delivers a raised event and beats the timer', () =>
    withHost(async ({ client }) => {
      const { instanceId } = await client.startNew('WaitForEvent', { input: { timeoutMs: 60_000 } });
      await client.raiseEvent(instanceId, 'Go', 'now');
      const status = await client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
      assert.equal(status.output, 'event:now');
    }));

  it('keeps the output when the timer the event beat fires after completion', async () => {
    const clock = createManualClock();
    await withHost(
      async (host) => {
        const { instanceId } = await host.client.startNew('WaitForEvent', { input: { timeoutMs: 60_000 } });
        await host.client.raiseEvent(instanceId, 'Go', 'now');
        const done = await host.client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
        assert.equal(done.output, 'event:now');
        // The late TimerFired is claimed and dropped by a drain turn, which must not touch the result.
        clock.advance(61_000);
        await new Promise((r) => setTimeout(r, 500));
        assert.deepEqual(await host.client.getStatus(instanceId), done);
      },
      { clock },
    );
  });

  it('fires a durable timer when the clock reaches it', async () => {
    const clock = createManualClock();
    await withHost(
      async (host) => {
        const { instanceId } = await host.client.startNew('WaitForEvent', { input: { timeoutMs: 60_000 } });
        await new Promise((r) => setTimeout(r, 200));
        assert.equal((await host.client.getStatus(instanceId))?.runtimeStatus, 'Running');
        clock.advance(61_000);
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
        assert.equal(status.output, 'timeout');
      },
      { clock },
    );
  });

  it('lets orchestrators catch activity failures and fails instances on unhandled ones', () =>
    withHost(async ({ client }) => {
      const caught = await client.startNew('Catcher');
      assert.match(String((await client.waitForCompletion(caught.instanceId)).output), /bad thing/);
      const failed = await client.startNew('Unhandled');
      const status = await client.waitForCompletion(failed.instanceId);
      assert.equal(status.runtimeStatus, 'Failed');
      assert.equal(status.failureDetails?.name, 'TaskFailedError');
      assert.match(status.failureDetails?.message ?? '', /RangeError: not caught/);
    }));

  it('retries an activity on durable timers until it succeeds', () =>
    withHost(async ({ client }) => {
      const { instanceId } = await client.startNew('Retrying');
      assert.equal((await client.waitForCompletion(instanceId, { timeoutMs: 20_000 })).output, 'ok after 3');
    }));

  it('runs sub-orchestrations and propagates a child failure as a typed error', () =>
    withHost(async ({ client }) => {
      const ok = await client.startNew('Parent', { input: [1, 2, 3] });
      assert.deepEqual((await client.waitForCompletion(ok.instanceId, { timeoutMs: 20_000 })).output, [2, 4, 6]);
      assert.equal((await client.getStatus(`${ok.instanceId}-child-1`))?.parentInstanceId, ok.instanceId);
      const bad = await client.startNew('Parent', { input: [1, -5] });
      const status = await client.waitForCompletion(bad.instanceId, { timeoutMs: 20_000 });
      assert.deepEqual((status.output as { failed: string }).failed, 'SubOrchestrationFailedError');
      assert.match((status.output as { message: string }).message, /negative/);
    }));

  it('continues as new with a flat history', () =>
    withHost(async ({ client }) => {
      const { instanceId } = await client.startNew('Counter', { input: { n: 0, until: 25 } });
      const status = await client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
      assert.equal(status.output, 25);
      assert.deepEqual(status.customStatus, { n: 25 });
      const history = (await client.getStatus(instanceId, { showHistory: true }))?.historyEvents ?? [];
      assert.ok(history.length < 10, `history should hold only the last execution, has ${history.length}`);
    }));

  it('terminates, suspends and resumes, and refuses operations in the wrong state', () =>
    withHost(async ({ client }) => {
      const a = await client.startNew('LongTimer');
      await client.suspend(a.instanceId, 'pause');
      await waitFor(async () => (await client.getStatus(a.instanceId))?.runtimeStatus === 'Suspended');
      await client.resume(a.instanceId);
      await waitFor(async () => (await client.getStatus(a.instanceId))?.runtimeStatus === 'Running');
      await client.terminate(a.instanceId, 'enough');
      const status = await client.waitForCompletion(a.instanceId);
      assert.equal(status.runtimeStatus, 'Terminated');
      assert.equal(status.output, 'enough');
      await assert.rejects(client.raiseEvent(a.instanceId, 'Go'), InvalidInstanceStateError);
      await assert.rejects(client.terminate('no-such-id'), InstanceNotFoundError);
    }));

  it('rewinds a failed instance', () =>
    withHost(async ({ client }) => {
      const { instanceId } = await client.startNew('Unhandled');
      await client.waitForCompletion(instanceId);
      await assert.rejects(client.rewind('missing'), InstanceNotFoundError);
      await client.rewind(instanceId, 'try again');
      await waitFor(
        async () =>
          (await client.getStatus(instanceId, { showHistory: true }))?.historyEvents?.some((e) => e.type === 'ExecutionRewound') ?? false,
      );
      const status = await client.waitForCompletion(instanceId);
      assert.equal(status.runtimeStatus, 'Failed', 'the activity still throws, so the rewound instance fails again');
    }));

  it('validates input at the call', () =>
    withHost(async ({ client }) => {
      await assert.rejects(client.startNew('HelloSequence', { instanceId: 'a/b' }), ValidationError);
      await assert.rejects(client.startNew('HelloSequence', { instanceId: '@reserved' }), ValidationError);
      await assert.rejects(client.startNew('HelloSequence', { instanceId: 'x'.repeat(257) }), ValidationError);
      await assert.rejects(client.startNew('HelloSequence', { input: { f: () => 1 } }), /input.f/);
      await assert.rejects(client.startNew('HelloSequence', { input: 1n }), /BigInt/);
      await assert.rejects(client.startNew('Nope'), FunctionNotFoundError);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await assert.rejects(client.raiseEvent('whatever', 'e', cyclic), /circular/);
    }));

  it('lists, restarts and purges', () =>
    withHost(async ({ client }) => {
      for (let i = 0; i < 5; i++) await client.startNew('HelloSequence', { instanceId: `list-${i}` });
      for (let i = 0; i < 5; i++) await client.waitForCompletion(`list-${i}`);
      const page1 = await client.listInstances({ instanceIdPrefix: 'list-', pageSize: 3, runtimeStatus: ['Completed'] });
      assert.equal(page1.instances.length, 3);
      const page2 = await client.listInstances({ instanceIdPrefix: 'list-', pageSize: 3, continuationToken: page1.continuationToken! });
      assert.equal(page2.instances.length, 2);
      assert.equal((await client.listInstances({ instanceIdPrefix: 'list-', excludeEntities: true })).instances.length, 5);
      await assert.rejects(client.listInstances({ excludeEntities: 'yes' as unknown as boolean }), /excludeEntities/);
      const restarted = await client.restart('list-0');
      assert.notEqual(restarted.instanceId, 'list-0');
      assert.equal((await client.purgeInstanceHistory('list-1')).instancesDeleted, 1);
      assert.equal(await client.getStatus('list-1'), undefined);
    }));
});

describe('singleton starts', () => {
  it('200 concurrent startNew calls for one ID create exactly one instance', () =>
    withHost(async ({ client }) => {
      const results = await Promise.allSettled(Array.from({ length: 200 }, () => client.startNew('LongTimer', { instanceId: 'the-one' })));
      const created = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r) => r.status === 'rejected');
      assert.equal(created.length, 1);
      assert.equal(rejected.length, 199);
      for (const r of rejected) {
        assert.ok(r.status === 'rejected' && r.reason instanceof InstanceAlreadyExistsError);
        assert.equal(r.reason.existing.instanceId, 'the-one');
      }
    }));

  it('useExisting returns the live instance; terminateExisting replaces it', () =>
    withHost(async ({ client }) => {
      const first = await client.startNew('LongTimer', { instanceId: 'job' });
      const again = await client.startNew('LongTimer', { instanceId: 'job', onConflict: 'useExisting' });
      assert.equal(again.outcome, 'existing');
      const status1 = await client.getStatus('job');
      const replaced = await client.startNew('LongTimer', { instanceId: 'job', onConflict: 'terminateExisting' });
      assert.equal(first.outcome, 'created');
      assert.equal(replaced.outcome, 'replaced');
      assert.notEqual((await client.getStatus('job'))?.executionId, status1?.executionId);
    }));

  it('replaces a completed instance only when its status may be reused', () =>
    withHost(async ({ client }) => {
      await client.startNew('HelloSequence', { instanceId: 'again' });
      await client.waitForCompletion('again');
      await assert.rejects(
        client.startNew('HelloSequence', { instanceId: 'again', reuseStatuses: ['Failed'] }),
        InstanceAlreadyExistsError,
      );
      const second = await client.startNew('HelloSequence', { instanceId: 'again' });
      assert.equal(second.outcome, 'replaced');
      const status = await client.waitForCompletion('again');
      assert.equal(status.runtimeStatus, 'Completed');
      assert.equal(
        (await client.getStatus('again', { showHistory: true }))?.historyEvents?.filter((e) => e.type === 'ExecutionStarted').length,
        1,
      );
    }));
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('activity leases', () => {
  it('renews the lease of a long activity, so it runs once even when it outlives the lease several times', async () => {
    using dir = createTempDir('perdure-heartbeat-');
    const app = buildTestApp();
    let runs = 0;
    app.activity('Slow', async () => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 1_200));
      return 'slow done';
    });
    app.orchestration('CallsSlow', function* (ctx) {
      return yield ctx.callActivity('Slow');
    });
    const host = await createHost({
      app,
      store: `sqlite:${dir.file('p.db')}`,
      logger: silentLogger,
      activities: { leaseMs: 300 },
      orchestrations: { inlineActivityWindowMs: 0 },
      maxPollIntervalMs: 50,
    });
    try {
      const { instanceId } = await host.client.startNew('CallsSlow');
      const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
      assert.equal(status.output, 'slow done');
      assert.equal(runs, 1);
    } finally {
      await host.stop();
    }
  });
});
