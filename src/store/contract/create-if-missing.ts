/**
 * @module test/store/contract/create-if-missing
 * Contract cases for messages that create their target (entities): a client
 * send or a turn's outbound message with `createIfMissing` creates an idle
 * Pending instance in the transaction that queues it, and never touches an
 * existing one; and a commit's `input` replaces the stored input (where an
 * entity keeps its state).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_RUNTIME_STATUSES as ALL_STATUSES } from '../../model/runtime-status.ts';
import { T0, claimInstance, commitFor, commitOk, createWithStatus, raised, startRequest, type StoreHarness } from './fixtures.ts';

const create = { name: 'counter', executionId: 'entity-exec' };

export function describeCreateIfMissing(h: StoreHarness): void {
  describe('createIfMissing and input', () => {
    it('a send creates the missing instance, Pending with no start message, and queues its messages in order', async () => {
      const results = await h.store.send([
        { instanceId: '@counter@a', createIfMissing: create, event: raised('op', 1), requireStatus: ALL_STATUSES, now: T0 },
        { instanceId: '@counter@a', createIfMissing: create, event: raised('op', 2), requireStatus: ALL_STATUSES, now: T0 },
      ]);
      assert.deepEqual(results, [{ outcome: 'sent' }, { outcome: 'sent' }]);
      const record = await h.store.getInstance('@counter@a');
      assert.equal(record?.runtimeStatus, 'Pending');
      assert.equal(record?.name, 'counter');
      assert.equal(record?.input, undefined);
      const item = await claimInstance(h.store, '@counter@a');
      assert.equal(item.executionId, 'entity-exec');
      assert.deepEqual(
        item.messages.map((m) => m.event.type === 'EventRaised' && m.event.input),
        [1, 2],
      );
    });

    it('a send to an existing instance leaves it as it was', async () => {
      await createWithStatus(h.store, [startRequest('@counter@b', { name: 'counter', input: { s: 1 } })], 'Running');
      await h.store.send([
        { instanceId: '@counter@b', createIfMissing: create, event: raised('op'), requireStatus: ALL_STATUSES, now: T0 },
      ]);
      const record = await h.store.getInstance('@counter@b');
      assert.equal(record?.runtimeStatus, 'Running');
      assert.deepEqual(record?.input, { s: 1 });
      assert.notEqual(record?.executionId, 'entity-exec');
    });

    it("a turn's outbound message creates its target in the commit; without the flag it is still dropped", async () => {
      await h.store.createInstances([startRequest('sender')]);
      const item = await claimInstance(h.store, 'sender');
      await commitOk(
        h.store,
        commitFor(item, {
          messages: [
            { instanceId: '@counter@c', createIfMissing: create, event: raised('op', 'x'), visibleAt: T0 },
            { instanceId: '@counter@d', event: raised('op', 'y'), visibleAt: T0 },
          ],
        }),
      );
      assert.equal((await h.store.getInstance('@counter@c'))?.runtimeStatus, 'Pending');
      assert.equal(await h.store.getInstance('@counter@d'), undefined);
      const target = await claimInstance(h.store, '@counter@c');
      assert.deepEqual(
        target.messages.map((m) => m.event.type === 'EventRaised' && m.event.input),
        ['x'],
      );
    });

    it("a commit's input replaces the stored input, and an absent one keeps it", async () => {
      await h.store.send([
        { instanceId: '@counter@e', createIfMissing: create, event: raised('op'), requireStatus: ALL_STATUSES, now: T0 },
      ]);
      const first = await claimInstance(h.store, '@counter@e');
      await commitOk(h.store, commitFor(first, { input: { state: 5 } }));
      assert.deepEqual((await h.store.getInstance('@counter@e'))?.input, { state: 5 });
      await h.store.send([{ instanceId: '@counter@e', event: raised('op'), requireStatus: ALL_STATUSES, now: T0 + 1 }]);
      const second = await claimInstance(h.store, '@counter@e', T0 + 1);
      await commitOk(h.store, commitFor(second, { now: T0 + 1 }));
      assert.deepEqual((await h.store.getInstance('@counter@e'))?.input, { state: 5 });
    });
  });
}
