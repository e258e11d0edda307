/**
 * @module test/store/contract/start-instances
 * Contract cases for createInstances: start-if-absent, every conflict policy,
 * reuse of terminal instances, replacement, batches and races.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TERMINAL_STATUSES, type RuntimeStatus } from '../../model/runtime-status.ts';
import type { ConflictPolicy } from '../store.ts';
import {
  LEASE_MS,
  T0,
  claimInstance,
  commitFor,
  commitOk,
  createWithStatus,
  orchestratorStarted,
  raised,
  startRequest,
  type StoreHarness,
} from './fixtures.ts';

export function describeStartInstances(h: StoreHarness): void {
  describe('createInstances', () => {
    it('creates a Pending instance and queues its ExecutionStarted message', async () => {
      const parent = { instanceId: 'parent', executionId: 'parent-exec', taskId: 3 };
      // The trace context is opaque to the store: kept on the ExecutionStarted message as given.
      const trace = {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'k=v',
        spanId: '00f067aa0ba902b7',
      };
      const request = startRequest('a', { input: { x: [1, 'two'] }, parent, trace, now: T0 + 5 });
      const [result] = await h.store.createInstances([request]);
      assert.equal(result?.outcome, 'created');
      const expected = {
        instanceId: 'a',
        name: 'Orchestrator',
        executionId: request.executionId,
        runtimeStatus: 'Pending',
        input: { x: [1, 'two'] },
        parentInstanceId: 'parent',
        createdAt: T0 + 5,
        updatedAt: T0 + 5,
      };
      assert.deepEqual(result?.instance, expected);
      assert.deepEqual(await h.store.getInstance('a'), expected);
      assert.deepEqual(await h.store.getHistory('a'), []);

      const item = await claimInstance(h.store, 'a', T0 + 5);
      assert.equal(item.name, 'Orchestrator');
      assert.equal(item.executionId, request.executionId);
      assert.equal(item.runtimeStatus, 'Pending');
      assert.equal(item.historyLength, 0);
      assert.equal(item.messages.length, 1);
      assert.equal(item.messages[0]?.executionId, request.executionId);
      assert.deepEqual(item.messages[0]?.event, {
        type: 'ExecutionStarted',
        timestamp: new Date(T0 + 5).toISOString(),
        name: 'Orchestrator',
        executionId: request.executionId,
        input: { x: [1, 'two'] },
        parent,
        trace,
      });
    });

    it('omits absent optional fields', async () => {
      const [result] = await h.store.createInstances([startRequest('a', { input: undefined })]);
      const record = result!.instance;
      for (const key of ['input', 'output', 'customStatus', 'failure', 'parentInstanceId', 'completedAt']) {
        assert.ok(!(key in record), `${key} should be absent`);
      }
      const item = await claimInstance(h.store, 'a');
      assert.ok(!('input' in item.messages[0]!.event));
    });

    it('returns undefined for an unknown instance', async () => {
      assert.equal(await h.store.getInstance('missing'), undefined);
      assert.deepEqual(await h.store.getHistory('missing'), []);
    });

    it('delays the first turn until visibleAt', async () => {
      await h.store.createInstances([startRequest('a', { visibleAt: T0 + 1000 })]);
      assert.deepEqual(await h.store.claimOrchestrations({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 + 999 }), []);
      assert.equal((await claimInstance(h.store, 'a', T0 + 1000)).messages.length, 1);
    });

    for (const [policy, outcome] of [
      ['reject', 'conflict'],
      ['useExisting', 'existing'],
    ] as const) {
      it(`onConflict '${policy}' on a live instance → '${outcome}' and leaves it untouched`, async () => {
        const [first] = await h.store.createInstances([startRequest('a')]);
        const [second] = await h.store.createInstances([
          // useExisting joins only an instance of the same orchestration (nameMismatch otherwise: singleton-starts.ts).
          startRequest('a', {
            name: policy === 'reject' ? 'Other' : 'Orchestrator',
            onConflict: policy,
            reuseStatuses: [...TERMINAL_STATUSES],
            now: T0 + 1,
          }),
        ]);
        assert.equal(second?.outcome, outcome);
        assert.deepEqual(second?.instance, first?.instance);
        assert.deepEqual(await h.store.getInstance('a'), first?.instance);
        const item = await claimInstance(h.store, 'a', T0 + 1);
        assert.equal(item.messages.length, 1, 'no second ExecutionStarted is queued');
      });
    }

    it("onConflict 'terminateExisting' on a live instance replaces it and fences the old lease", async () => {
      await h.store.createInstances([startRequest('a')]);
      const old = await claimInstance(h.store, 'a');
      await commitOk(
        h.store,
        commitFor(old, {
          newEvents: [orchestratorStarted()],
          customStatus: 'busy',
          activities: [{ taskId: 0, name: 'act', input: 1 }],
        }),
      );
      await h.store.send([{ instanceId: 'a', event: raised('pending'), requireStatus: ['Running'], now: T0 }]);
      const midTurn = await claimInstance(h.store, 'a', T0 + 1);

      const request = startRequest('a', { name: 'New', input: 'fresh', onConflict: 'terminateExisting', now: T0 + 2 });
      const [result] = await h.store.createInstances([request]);
      assert.equal(result?.outcome, 'replaced');
      const expected = {
        instanceId: 'a',
        name: 'New',
        executionId: request.executionId,
        runtimeStatus: 'Pending',
        input: 'fresh',
        createdAt: T0 + 2,
        updatedAt: T0 + 2,
      };
      assert.deepEqual(result?.instance, expected);
      assert.deepEqual(await h.store.getHistory('a'), []);

      const stale = await h.store.commitOrchestrations([commitFor(midTurn, { runtimeStatus: 'Completed', now: T0 + 3 })]);
      assert.deepEqual(stale, [{ ok: false, reason: 'leaseLost' }]);
      assert.deepEqual(await h.store.getInstance('a'), expected);
      assert.deepEqual(
        await h.store.claimActivities({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 + 3 }),
        [],
        "the old execution's activities are gone",
      );
      const fresh = await claimInstance(h.store, 'a', T0 + 3, 'worker-b');
      assert.ok(fresh.leaseToken > midTurn.leaseToken);
      assert.deepEqual(
        fresh.messages.map((m) => m.event.type),
        ['ExecutionStarted'],
        'old messages are gone',
      );
      assert.equal(fresh.historyLength, 0);
    });

    it('replacement fences the old lease even when the new execution reuses its ID', async () => {
      const request = startRequest('a');
      await h.store.createInstances([request]);
      const midTurn = await claimInstance(h.store, 'a');
      await h.store.createInstances([{ ...request, onConflict: 'terminateExisting', now: T0 + 1 }]);
      const stale = await h.store.commitOrchestrations([commitFor(midTurn, { runtimeStatus: 'Completed', now: T0 + 2 })]);
      assert.deepEqual(stale, [{ ok: false, reason: 'leaseLost' }]);
      assert.equal((await h.store.getInstance('a'))?.runtimeStatus, 'Pending');
      const fresh = await claimInstance(h.store, 'a', T0 + 2);
      assert.deepEqual(
        fresh.messages.map((m) => m.event.type),
        ['ExecutionStarted'],
        'the new start was not consumed',
      );
    });

    for (const status of TERMINAL_STATUSES) {
      it(`replaces a ${status} instance when ${status} is in reuseStatuses`, async () => {
        const failure = { name: 'Error', message: 'boom' };
        await createWithStatus(h.store, [startRequest('a')], status, T0, { output: 42, failure, customStatus: 'x' });
        const finished = await h.store.getInstance('a');
        assert.equal(finished?.output, 42);
        assert.equal(finished?.customStatus, 'x');
        assert.equal(finished?.completedAt, T0);
        const request = startRequest('a', { reuseStatuses: [status], now: T0 + 10 });
        const [result] = await h.store.createInstances([request]);
        assert.equal(result?.outcome, 'replaced');
        const record = await h.store.getInstance('a');
        assert.equal(record?.runtimeStatus, 'Pending');
        assert.equal(record?.executionId, request.executionId);
        assert.equal(record?.createdAt, T0 + 10);
        for (const key of ['output', 'customStatus', 'failure', 'completedAt']) {
          assert.ok(!(key in record), `${key} is cleared`);
        }
        assert.deepEqual(await h.store.getHistory('a'), []);
        const item = await claimInstance(h.store, 'a', T0 + 10);
        assert.deepEqual(
          item.messages.map((m) => m.event.type),
          ['ExecutionStarted'],
        );
      });
    }

    const terminalCases: [RuntimeStatus, ConflictPolicy, string][] = [
      ['Completed', 'reject', 'conflict'],
      ['Failed', 'useExisting', 'existing'],
      ['Terminated', 'terminateExisting', 'conflict'],
    ];
    for (const [status, policy, outcome] of terminalCases) {
      it(`a ${status} instance not in reuseStatuses with '${policy}' → '${outcome}'`, async () => {
        await createWithStatus(h.store, [startRequest('a')], status);
        const before = await h.store.getInstance('a');
        const others = TERMINAL_STATUSES.filter((s) => s !== status);
        const [result] = await h.store.createInstances([startRequest('a', { onConflict: policy, reuseStatuses: others, now: T0 + 10 })]);
        assert.equal(result?.outcome, outcome);
        assert.deepEqual(result?.instance, before);
        assert.deepEqual(await h.store.getInstance('a'), before);
      });
    }

    it('decides each request of a batch on its own, in request order', async () => {
      await h.store.createInstances([startRequest('taken')]);
      const first = startRequest('dup');
      const results = await h.store.createInstances([
        startRequest('x'),
        first,
        startRequest('taken'),
        startRequest('dup', { onConflict: 'useExisting' }),
        startRequest('dup'),
        startRequest('y'),
      ]);
      assert.deepEqual(
        results.map((r) => r.outcome),
        ['created', 'created', 'conflict', 'existing', 'conflict', 'created'],
      );
      assert.deepEqual(
        results.map((r) => r.instance.instanceId),
        ['x', 'dup', 'taken', 'dup', 'dup', 'y'],
      );
      assert.equal(results[3]?.instance.executionId, first.executionId);
      assert.equal(results[4]?.instance.executionId, first.executionId);
      const item = await claimInstance(h.store, 'dup');
      assert.equal(item.messages.length, 1);
    });

    it('200 concurrent starts of one ID create exactly one instance', async () => {
      const requests = Array.from({ length: 200 }, () => startRequest('singleton'));
      const results = (await Promise.all(requests.map((r) => h.store.createInstances([r])))).flat();
      const created = results.filter((r) => r.outcome === 'created');
      assert.equal(created.length, 1);
      assert.equal(results.filter((r) => r.outcome === 'conflict').length, 199);
      const winner = created[0]!.instance.executionId;
      assert.ok(results.every((r) => r.instance.executionId === winner));
      assert.equal((await h.store.getInstance('singleton'))?.executionId, winner);
      assert.equal((await claimInstance(h.store, 'singleton')).messages.length, 1);
    });

    it('migrate is idempotent', async () => {
      await h.store.createInstances([startRequest('a')]);
      await h.store.migrate();
      assert.equal((await h.store.getInstance('a'))?.instanceId, 'a');
    });
  });
}
