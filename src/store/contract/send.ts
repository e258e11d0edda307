/**
 * @module test/store/contract/send
 * Contract cases for send: status-checked client messages, decided per message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIVE_STATUSES } from '../../model/runtime-status.ts';
import { T0, claimInstance, createWithStatus, raised, startRequest, type StoreHarness } from './fixtures.ts';

export function describeSend(h: StoreHarness): void {
  describe('send', () => {
    it('reports notFound, wrongStatus and sent per message, in order', async () => {
      await h.store.createInstances([startRequest('live')]);
      await createWithStatus(h.store, [startRequest('done')], 'Completed');
      const results = await h.store.send([
        { instanceId: 'missing', event: raised('e'), requireStatus: [...LIVE_STATUSES], now: T0 },
        { instanceId: 'done', event: raised('e'), requireStatus: [...LIVE_STATUSES], now: T0 },
        { instanceId: 'live', event: raised('e', { v: 1 }), requireStatus: ['Pending'], now: T0 + 1 },
        { instanceId: 'live', event: raised('e'), requireStatus: ['Running'], now: T0 + 1 },
      ]);
      assert.deepEqual(results, [
        { outcome: 'notFound' },
        { outcome: 'wrongStatus', runtimeStatus: 'Completed' },
        { outcome: 'sent' },
        { outcome: 'wrongStatus', runtimeStatus: 'Pending' },
      ]);
      assert.equal(await h.store.getInstance('missing'), undefined);
      const claimed = await h.store.claimOrchestrations({ owner: 'w', leaseMs: 1000, limit: 10, now: T0 + 1 });
      assert.deepEqual(
        claimed.map((item) => item.instanceId),
        ['live'],
        'no message was queued for the Completed instance',
      );
      assert.deepEqual(
        claimed[0]?.messages.map((m) => m.event.type),
        ['ExecutionStarted', 'EventRaised'],
      );
    });

    it('queues a sent event as an instance-wide message visible at now', async () => {
      await h.store.createInstances([startRequest('a', { visibleAt: T0 + 100 })]);
      await h.store.send([{ instanceId: 'a', event: raised('go', [1, 2]), requireStatus: ['Pending'], now: T0 + 50 }]);
      assert.deepEqual(await h.store.claimOrchestrations({ owner: 'w', leaseMs: 1000, limit: 10, now: T0 + 49 }), []);
      const item = await claimInstance(h.store, 'a', T0 + 50);
      assert.equal(item.messages.length, 1, 'the start is not visible yet');
      const [message] = item.messages;
      assert.deepEqual(message?.event, raised('go', [1, 2]));
      assert.ok(!('executionId' in message), 'client messages belong to no execution');
      assert.equal(typeof message?.id, 'string');
    });
  });
}
