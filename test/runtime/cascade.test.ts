/**
 * @module test/runtime/cascade.test
 * Cancellation that cascades (issue 13, item 3), on SQLite and on
 * PostgreSQL: children follow their parent's end by `parentClose`, an
 * execution timeout terminates an instance (and its tree) across
 * continue-as-new, a recursive purge removes a finished tree, and a
 * `terminateExisting` replacement of a live child fails the parent's task.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock, ValidationError } from '../../src/index.ts';
import { createFetchHandler } from '../../src/http/index.ts';
import { outputOf, statusOf, untilStatus, withCascadeHost, type StoreKind } from './cascade-helpers.ts';

const BASE = 'http://127.0.0.1/runtime/webhooks/durabletask';

for (const kind of ['sqlite', 'postgres'] as const satisfies readonly StoreKind[]) {
  describe(`cascading cancellation on ${kind}`, () => {
    for (const [end, words] of [
      ['complete', 'completed'],
      ['fail', 'failed'],
      ['continue', 'continued as new'],
    ] as const) {
      it(`terminates 'terminate' children when the parent ${words}, and 'abandon' children run on`, () =>
        withCascadeHost(kind, async (host) => {
          const id = `p-${end}`;
          await host.client.startNew('Parent', { instanceId: id, input: { end } });
          for (const child of [`${id}-t`, `${id}-a`]) await untilStatus(host, child, 'Running');
          await host.client.raiseEvent(id, 'end');
          await untilStatus(host, `${id}-t`, 'Terminated');
          assert.equal(await outputOf(host, `${id}-t`), `parent instance '${id}' ${words}`);
          assert.equal(await statusOf(host, `${id}-a`), 'Running');
          await host.client.raiseEvent(`${id}-a`, 'go', 'on my own');
          await untilStatus(host, `${id}-a`, 'Completed');
        }));
    }

    it("spares 'abandon' children when the parent is terminated", () =>
      withCascadeHost(kind, async (host) => {
        await host.client.startNew('Parent', { instanceId: 'pt', input: { end: 'wait' } });
        for (const child of ['pt-t', 'pt-a']) await untilStatus(host, child, 'Running');
        await host.client.terminate('pt', 'stop');
        await untilStatus(host, 'pt-t', 'Terminated');
        assert.equal(await outputOf(host, 'pt-t'), "parent instance 'pt' was terminated: stop");
        assert.equal(await statusOf(host, 'pt-a'), 'Running');
      }));

    it("terminates 'terminate' children when the runtime fails the parent (a turn over its budget)", () =>
      withCascadeHost(
        kind,
        async (host) => {
          await host.client.startNew('Spinner', { instanceId: 'sp' });
          await untilStatus(host, 'sp-t', 'Running');
          await host.client.raiseEvent('sp', 'spin');
          await untilStatus(host, 'sp', 'Failed');
          await untilStatus(host, 'sp-t', 'Terminated');
          assert.equal(await outputOf(host, 'sp-t'), "parent instance 'sp' failed");
        },
        undefined,
        { maxDeliveries: 2, orchestrations: { turnBudgetMs: 50 } },
      ));

    it('terminates an instance that outlives executionTimeoutMs, across continue-as-new, with its children', async () => {
      const clock = createManualClock();
      await withCascadeHost(
        kind,
        async (host) => {
          await host.client.startNew('Parent', { instanceId: 'slow', input: { end: 'wait' }, executionTimeoutMs: 60_000 });
          await host.client.startNew('Looper', { instanceId: 'loop', input: 0, executionTimeoutMs: 60_000 });
          for (const id of ['slow-t', 'slow-a']) await untilStatus(host, id, 'Running');
          await untilStatus(host, 'loop', 'Running');
          clock.advance(59_000);
          await host.client.raiseEvent('slow', 'end'); // a turn before the deadline changes nothing
          clock.advance(1_000);
          for (const id of ['slow', 'slow-t', 'loop']) await untilStatus(host, id, 'Terminated');
          assert.match(String(await outputOf(host, 'slow')), /timed out.*60000 ms.*executionTimeoutMs/);
          assert.match(String(await outputOf(host, 'loop')), /timed out/);
          assert.match(String(await outputOf(host, 'slow-t')), /parent instance 'slow' was terminated: execution timed out/);
          assert.equal(await statusOf(host, 'slow-a'), 'Running');
        },
        clock,
      );
    });

    it('refuses a bad executionTimeoutMs, in the client and over HTTP', () =>
      withCascadeHost(kind, async (host) => {
        for (const bad of [0, -5, 1.5, Number.NaN, '10' as unknown as number]) {
          await assert.rejects(host.client.startNew('Leaf', { executionTimeoutMs: bad }), ValidationError);
        }
        await assert.rejects(host.client.startNew('Leaf', { onConflict: 'queueLatest', executionTimeoutMs: 5 }), ValidationError);
        const fetch = createFetchHandler(host);
        const bad = await fetch(new Request(`${BASE}/orchestrators/Leaf/h1?executionTimeoutMs=1e3`, { method: 'POST' }));
        assert.equal(bad.status, 400);
        assert.match(await bad.text(), /executionTimeoutMs/);
        assert.equal(await statusOf(host, 'h1'), undefined);
      }));

    it('takes executionTimeoutMs over HTTP', async () => {
      const clock = createManualClock();
      await withCascadeHost(
        kind,
        async (host) => {
          const fetch = createFetchHandler(host);
          const ok = await fetch(new Request(`${BASE}/orchestrators/Leaf/h2?executionTimeoutMs=5000`, { method: 'POST' }));
          assert.equal(ok.status, 202);
          await untilStatus(host, 'h2', 'Running');
          clock.advance(5_000);
          await untilStatus(host, 'h2', 'Terminated');
          assert.match(String(await outputOf(host, 'h2')), /timed out/);
        },
        clock,
      );
    });

    it('purges a finished tree with recursive: true, and only the instance by default', () =>
      withCascadeHost(kind, async (host) => {
        for (const id of ['x', 'y']) {
          await host.client.startNew('Parent', { instanceId: id, input: { end: 'wait' } });
          for (const child of [`${id}-t`, `${id}-a`]) await untilStatus(host, child, 'Running');
          await host.client.terminate(id);
          await untilStatus(host, `${id}-t`, 'Terminated');
        }
        assert.deepEqual(await host.client.purgeInstanceHistory('x'), { instancesDeleted: 1 });
        assert.equal(await statusOf(host, 'x-t'), 'Terminated');
        // y-a is live ('abandon'): a recursive purge keeps it.
        assert.deepEqual(await host.client.purgeInstanceHistory('y', { recursive: true }), { instancesDeleted: 2 });
        assert.equal(await statusOf(host, 'y-t'), undefined);
        assert.equal(await statusOf(host, 'y-a'), 'Running');
        await assert.rejects(host.client.purgeInstanceHistory('x-t', { recursive: 'yes' as unknown as boolean }), ValidationError);
      }));

    it('purges recursively over HTTP with ?recursive=true, and refuses a value that is not a boolean', () =>
      withCascadeHost(kind, async (host) => {
        await host.client.startNew('Parent', { instanceId: 'z', input: { end: 'complete' } });
        for (const child of ['z-t', 'z-a']) await untilStatus(host, child, 'Running');
        await host.client.raiseEvent('z', 'end');
        await untilStatus(host, 'z-t', 'Terminated');
        await host.client.raiseEvent('z-a', 'go');
        await untilStatus(host, 'z-a', 'Completed');
        const fetch = createFetchHandler(host);
        const bad = await fetch(new Request(`${BASE}/instances/z?recursive=1`, { method: 'DELETE' }));
        assert.equal(bad.status, 400);
        assert.equal(await statusOf(host, 'z'), 'Completed');
        const ok = await fetch(new Request(`${BASE}/instances/z?recursive=true`, { method: 'DELETE' }));
        assert.equal(ok.status, 200);
        assert.deepEqual(await ok.json(), { instancesDeleted: 3 });
        for (const id of ['z', 'z-t', 'z-a']) assert.equal(await statusOf(host, id), undefined);
      }));

    it("fails the parent's task when terminateExisting replaces its live child, and the replacement runs unparented", () =>
      withCascadeHost(kind, async (host) => {
        await host.client.startNew('Waiter', { instanceId: 'w' });
        await untilStatus(host, 'w-kid', 'Running');
        const { outcome } = await host.client.startNew('Leaf', { instanceId: 'w-kid', onConflict: 'terminateExisting' });
        assert.equal(outcome, 'replaced');
        await untilStatus(host, 'w', 'Completed');
        assert.match(
          String(await outputOf(host, 'w')),
          /OrchestrationTerminated: Terminated: replaced by a new execution.*terminateExisting/,
        );
        assert.equal((await host.client.getStatus('w-kid'))?.parentInstanceId, undefined);
        await host.client.raiseEvent('w-kid', 'go', 'fresh');
        await untilStatus(host, 'w-kid', 'Completed');
        assert.equal(await outputOf(host, 'w'), (await host.client.getStatus('w'))?.output, 'the replacement did not reach the parent');
      }));
  });
}
