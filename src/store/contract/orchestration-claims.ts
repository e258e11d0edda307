/**
 * @module test/store/contract/orchestration-claims
 * Contract cases for claimOrchestrations / abandonOrchestrations and the
 * fencing of commits: visibility, leases, expiry, suspended instances.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClaimOptions } from '../store.ts';
import {
  T0,
  claimInstance,
  commitFor,
  commitOk,
  control,
  eventTypes,
  orchestratorStarted,
  raised,
  startRequest,
  type StoreHarness,
} from './fixtures.ts';

const claim = (now: number, overrides: Partial<ClaimOptions> = {}): ClaimOptions => ({
  owner: 'worker-a',
  leaseMs: 1000,
  limit: 10,
  now,
  ...overrides,
});

export function describeOrchestrationClaims(h: StoreHarness): void {
  describe('claimOrchestrations', () => {
    it('claims only instances with a visible message, up to limit, oldest message first', async () => {
      await h.store.createInstances([
        startRequest('c', { now: T0 }),
        startRequest('a', { now: T0 + 1 }),
        startRequest('b', { now: T0 + 2 }),
        startRequest('later', { now: T0, visibleAt: T0 + 500 }),
      ]);
      const first = await h.store.claimOrchestrations(claim(T0 + 10, { limit: 2 }));
      assert.deepEqual(
        first.map((i) => i.instanceId),
        ['c', 'a'],
      );
      const second = await h.store.claimOrchestrations(claim(T0 + 10));
      assert.deepEqual(
        second.map((i) => i.instanceId),
        ['b'],
      );
      assert.deepEqual(await h.store.claimOrchestrations(claim(T0 + 499)), []);
      assert.deepEqual(
        (await h.store.claimOrchestrations(claim(T0 + 500))).map((i) => i.instanceId),
        ['later'],
      );
      assert.deepEqual(await h.store.claimOrchestrations(claim(T0 + 10, { limit: 0 })), []);
    });

    it('hands out messages oldest first with their execution IDs', async () => {
      const request = startRequest('a');
      await h.store.createInstances([request]);
      await h.store.send([
        { instanceId: 'a', event: raised('one'), requireStatus: ['Pending'], now: T0 },
        { instanceId: 'a', event: raised('two'), requireStatus: ['Pending'], now: T0 },
      ]);
      await h.store.send([{ instanceId: 'a', event: raised('future'), requireStatus: ['Pending'], now: T0 + 100 }]);
      const item = await claimInstance(h.store, 'a', T0 + 1);
      assert.deepEqual(eventTypes(item), ['ExecutionStarted', 'EventRaised', 'EventRaised']);
      assert.deepEqual(
        item.messages.map((m) => m.executionId),
        [request.executionId, undefined, undefined],
      );
      assert.equal(new Set(item.messages.map((m) => m.id)).size, 3, 'message ids are unique');
    });

    it('does not claim a leased instance again until the lease expires, then bumps the token', async () => {
      await h.store.createInstances([startRequest('a')]);
      const [first] = await h.store.claimOrchestrations(claim(T0));
      assert.ok(first);
      assert.deepEqual(await h.store.claimOrchestrations(claim(T0 + 999, { owner: 'worker-b' })), []);
      const [second] = await h.store.claimOrchestrations(claim(T0 + 1000, { owner: 'worker-b' }));
      assert.equal(second?.instanceId, 'a');
      assert.ok(second.leaseToken > first.leaseToken, 'a new lease gets a higher token');
      assert.deepEqual(second.messages, first.messages, 'unconsumed messages are handed out again');
    });

    it('fences a commit with an old lease token: leaseLost, and nothing is applied', async () => {
      await h.store.createInstances([startRequest('a')]);
      const [stale] = await h.store.claimOrchestrations(claim(T0));
      const [current] = await h.store.claimOrchestrations(claim(T0 + 1000, { owner: 'worker-b' }));
      assert.ok(stale && current);
      const results = await h.store.commitOrchestrations([
        commitFor(stale, {
          newEvents: [orchestratorStarted()],
          runtimeStatus: 'Completed',
          output: 'stale',
          customStatus: 'stale',
          activities: [{ taskId: 0, name: 'act' }],
          messages: [{ instanceId: 'a', event: raised('x'), visibleAt: T0 }],
          childStarts: [{ request: startRequest('child'), onConflictMessage: { instanceId: 'a', event: raised('y'), visibleAt: T0 } }],
          now: T0 + 1001,
        }),
      ]);
      assert.deepEqual(results, [{ ok: false, reason: 'leaseLost' }]);
      const record = await h.store.getInstance('a');
      assert.equal(record?.runtimeStatus, 'Pending');
      assert.ok(!('output' in record) && !('customStatus' in record));
      assert.equal(record.updatedAt, T0);
      assert.deepEqual(await h.store.getHistory('a'), []);
      assert.equal(await h.store.getInstance('child'), undefined);
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 5000)), []);
      await commitOk(h.store, commitFor(current, { now: T0 + 1001 }));
      assert.deepEqual(await h.store.claimOrchestrations(claim(T0 + 5000)), [], 'the messages were consumed once');
    });

    it('rejects a commit for another execution or a missing instance as leaseLost', async () => {
      await h.store.createInstances([startRequest('a'), startRequest('b')]);
      const items = await h.store.claimOrchestrations(claim(T0));
      const a = items.find((i) => i.instanceId === 'a')!;
      const b = items.find((i) => i.instanceId === 'b')!;
      const results = await h.store.commitOrchestrations([
        commitFor(a, { executionId: 'some-other-execution' }),
        commitFor(b, { instanceId: 'missing' }),
        commitFor(b),
      ]);
      assert.deepEqual(results, [{ ok: false, reason: 'leaseLost' }, { ok: false, reason: 'leaseLost' }, { ok: true }]);
      assert.deepEqual(
        (await h.store.claimOrchestrations(claim(T0 + 1000))).map((i) => i.instanceId),
        ['a'],
      );
    });

    it('a commit releases the lease, so new messages are claimable at once', async () => {
      await h.store.createInstances([startRequest('a')]);
      const item = await claimInstance(h.store, 'a');
      await h.store.send([{ instanceId: 'a', event: raised('during'), requireStatus: ['Pending'], now: T0 }]);
      await commitOk(h.store, commitFor(item, { consumedMessageIds: [item.messages[0]!.id] }));
      const next = await claimInstance(h.store, 'a', T0 + 1, 'worker-b');
      assert.deepEqual(eventTypes(next), ['EventRaised'], 'a message that arrived mid-turn is kept');
      assert.equal(next.runtimeStatus, 'Running');
    });

    it('abandon hands a lease back only with the current token', async () => {
      await h.store.createInstances([startRequest('a')]);
      const first = await claimInstance(h.store, 'a');
      await h.store.abandonOrchestrations([{ instanceId: 'a', leaseToken: first.leaseToken - 1 }]);
      assert.deepEqual(await h.store.claimOrchestrations(claim(T0 + 1)), [], 'a stale abandon changes nothing');
      await h.store.abandonOrchestrations([first]);
      const second = await claimInstance(h.store, 'a', T0 + 1);
      assert.ok(second.leaseToken > first.leaseToken);
      assert.deepEqual(second.messages, first.messages);
    });

    it('hands out at most 1,000 messages per item; the rest follow on the next claim', async () => {
      await h.store.createInstances([startRequest('a')]);
      const events = Array.from({ length: 1004 }, (_, i) => ({
        instanceId: 'a',
        event: raised(`e${i}`),
        requireStatus: ['Pending' as const],
        now: T0,
      }));
      await h.store.send(events);
      const first = await claimInstance(h.store, 'a');
      assert.equal(first.messages.length, 1000);
      await commitOk(h.store, commitFor(first));
      const second = await claimInstance(h.store, 'a');
      assert.equal(second.messages.length, 5);
      assert.deepEqual(second.messages.at(-1)?.event, raised('e1003'));
    });

    it('claims a suspended instance only for control messages, and hands it only those', async () => {
      await h.store.createInstances([startRequest('a')]);
      const item = await claimInstance(h.store, 'a');
      await commitOk(h.store, commitFor(item, { runtimeStatus: 'Suspended' }));
      await h.store.send([{ instanceId: 'a', event: raised('waiting'), requireStatus: ['Suspended'], now: T0 + 1 }]);
      assert.deepEqual(await h.store.claimOrchestrations(claim(T0 + 2)), [], 'a plain event does not wake it');

      await h.store.send([{ instanceId: 'a', event: control('ExecutionResumed'), requireStatus: ['Suspended'], now: T0 + 2 }]);
      const resumed = await claimInstance(h.store, 'a', T0 + 2);
      assert.equal(resumed.runtimeStatus, 'Suspended');
      assert.deepEqual(eventTypes(resumed), ['ExecutionResumed']);
      await commitOk(h.store, commitFor(resumed, { runtimeStatus: 'Running', now: T0 + 2 }));

      const after = await claimInstance(h.store, 'a', T0 + 3);
      assert.deepEqual(
        after.messages.map((m) => m.event),
        [raised('waiting')],
      );
    });
  });
}
