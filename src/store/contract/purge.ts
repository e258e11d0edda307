/**
 * @module test/store/contract/purge
 * Contract cases for purge: by ID and by filter, terminal instances only,
 * taking their history, messages and activities with them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LEASE_MS, T0, claimInstance, createWithStatus, startRequest, type StoreHarness } from './fixtures.ts';

export function describePurge(h: StoreHarness): void {
  describe('purge', () => {
    it('purges one terminal instance by ID with everything stored for it', async () => {
      await createWithStatus(h.store, [startRequest('done')], 'Completed', T0, {
        activities: [{ taskId: 0, name: 'leftover' }],
        messages: [{ instanceId: 'done', event: { type: 'TimerFired', timestamp: '', taskId: 1, fireAt: '' }, visibleAt: T0 + 10 }],
      });
      assert.equal((await h.store.getHistory('done')).length, 1);
      assert.equal(await h.store.purge({ instanceId: 'done' }), 1);
      assert.equal(await h.store.getInstance('done'), undefined);
      assert.deepEqual(await h.store.getHistory('done'), []);
      assert.deepEqual(await h.store.claimActivities({ owner: 'w', leaseMs: LEASE_MS, limit: 10, now: T0 + 10 }), []);
      assert.equal(await h.store.nextWakeAt(T0), undefined, 'its queued messages are gone too');
      assert.equal(await h.store.purge({ instanceId: 'done' }), 0);

      await h.store.createInstances([startRequest('done', { now: T0 + 20 })]);
      const item = await claimInstance(h.store, 'done', T0 + 20);
      assert.deepEqual(
        item.messages.map((m) => m.event.type),
        ['ExecutionStarted'],
      );
    });

    it('never purges a live instance', async () => {
      await h.store.createInstances([startRequest('pending')]);
      await createWithStatus(h.store, [startRequest('running')], 'Running');
      await createWithStatus(h.store, [startRequest('suspended')], 'Suspended');
      for (const instanceId of ['pending', 'running', 'suspended', 'missing']) {
        assert.equal(await h.store.purge({ instanceId }), 0);
      }
      assert.equal(await h.store.purge({}), 0);
      assert.equal(await h.store.purge({ runtimeStatus: ['Running', 'Pending', 'Suspended'] }), 0);
      assert.equal((await h.store.listInstances({ pageSize: 10 })).instances.length, 3);
    });

    it('purges by creation range and status', async () => {
      await h.store.createInstances([startRequest('live', { now: T0 + 1 })]);
      await createWithStatus(
        h.store,
        [0, 1, 2, 3].map((i) => startRequest(`c${i}`, { now: T0 + i })),
        'Completed',
      );
      await createWithStatus(h.store, [startRequest('f1', { now: T0 + 1 })], 'Failed');
      await createWithStatus(h.store, [startRequest('t2', { now: T0 + 2 })], 'Terminated');

      assert.equal(await h.store.purge({ runtimeStatus: [] }), 0, 'an empty status list purges nothing');
      assert.equal(await h.store.purge({ createdFrom: T0 + 1, createdTo: T0 + 3, runtimeStatus: ['Completed', 'Running'] }), 2);
      assert.deepEqual(await remaining(h), ['c0', 'f1', 'live', 't2', 'c3']);
      assert.equal(await h.store.purge({ runtimeStatus: ['Failed'] }), 1);
      assert.deepEqual(await remaining(h), ['c0', 'live', 't2', 'c3']);
      assert.equal(await h.store.purge({ createdTo: T0 + 3 }), 2);
      assert.deepEqual(await remaining(h), ['live', 'c3']);
      assert.equal(await h.store.purge({}), 1);
      assert.deepEqual(await remaining(h), ['live']);
    });

    it('purges by finish time, whatever the creation time (retention)', async () => {
      await createWithStatus(h.store, [startRequest('early', { now: T0 })], 'Completed', T0 + 100);
      await createWithStatus(h.store, [startRequest('quick', { now: T0 + 150 })], 'Completed', T0 + 160);
      await createWithStatus(h.store, [startRequest('recent', { now: T0 + 10 })], 'Completed', T0 + 500);
      // A long run, created first and finished last, is as young as its finish.
      await createWithStatus(h.store, [startRequest('long-run', { now: T0 })], 'Completed', T0 + 1000);
      await createWithStatus(h.store, [startRequest('failed', { now: T0 })], 'Failed', T0 + 100);
      await h.store.createInstances([startRequest('live', { now: T0 })]);

      assert.equal(await h.store.purge({ runtimeStatus: ['Completed'], completedTo: T0 + 160 }), 1, 'the bound is exclusive');
      assert.deepEqual((await remaining(h)).sort(), ['failed', 'live', 'long-run', 'quick', 'recent']);
      assert.equal(await h.store.purge({ runtimeStatus: ['Completed'], completedTo: T0 + 501 }), 2);
      assert.deepEqual((await remaining(h)).sort(), ['failed', 'live', 'long-run']);
      assert.equal(await h.store.purge({ completedTo: T0 + 2000, limit: 1 }), 1, 'a limit stops the purge');
      assert.equal(await h.store.purge({ completedTo: T0 + 2000 }), 1, 'every terminal status, never the live one');
      assert.deepEqual(await remaining(h), ['live']);
    });

    it('never purges an entity by filter (an empty entity may have a signal on its way in)', async () => {
      await createWithStatus(h.store, [startRequest('@counter@a', { now: T0 })], 'Completed', T0 + 10);
      await createWithStatus(h.store, [startRequest('done', { now: T0 })], 'Completed', T0 + 10);
      assert.equal(await h.store.purge({ completedTo: T0 + 100 }), 1);
      assert.equal(await h.store.purge({}), 0);
      assert.deepEqual(await remaining(h), ['@counter@a']);
      assert.equal(await h.store.purge({ instanceId: '@counter@a' }), 1, 'by ID it can still be purged');
    });

    it('purges more instances than fit in one chunk', async () => {
      const requests = Array.from({ length: 1500 }, (_, i) => startRequest(`bulk-${i}`, { now: T0 + (i % 10) }));
      await createWithStatus(h.store, requests, 'Completed');
      await h.store.createInstances([startRequest('live')]);
      assert.equal(await h.store.purge({ limit: 150 }), 150, 'a limit that ends inside a chunk');
      assert.equal(await h.store.purge({}), 1350);
      assert.deepEqual(await remaining(h), ['live']);
    });

    it('lets the event loop run while a large purge is under way', async () => {
      await createWithStatus(
        h.store,
        Array.from({ length: 1500 }, (_, i) => startRequest(`bulk-${i}`)),
        'Completed',
      );
      let turns = 0;
      let purging = true;
      const tick = () => {
        if (!purging) return;
        turns += 1;
        setImmediate(tick);
      };
      setImmediate(tick);
      const purged = h.store.purge({});
      assert.equal(await purged, 1500);
      purging = false;
      assert.ok(turns > 0, 'other work ran between the chunks of the purge');
    });

    it('counts exactly and loses no start that races a large purge', async () => {
      const ids = Array.from({ length: 1500 }, (_, i) => `bulk-${i}`);
      await createWithStatus(
        h.store,
        ids.map((id) => startRequest(id)),
        'Completed',
      );
      const restarted = ['bulk-0', 'bulk-999', 'bulk-1499'];
      const [purged, starts] = await Promise.all([
        h.store.purge({}),
        h.store.createInstances(restarted.map((id) => startRequest(id, { reuseStatuses: ['Completed'], now: T0 + 5 }))),
      ]);
      // A start that found its instance already purged created it afresh; one that came first replaced it,
      // and the purge then left the live instance alone.
      const replaced = starts.filter((start) => start.outcome === 'replaced').length;
      assert.equal(starts.filter((start) => start.outcome === 'created').length + replaced, restarted.length);
      assert.equal(purged, ids.length - replaced);
      assert.deepEqual((await remaining(h)).sort(), [...restarted].sort());
      for (const id of restarted) assert.equal((await h.store.getInstance(id))?.runtimeStatus, 'Pending');
    });
  });
}

async function remaining(h: StoreHarness): Promise<string[]> {
  const page = await h.store.listInstances({ pageSize: 10_000 });
  return page.instances.map((i) => i.instanceId);
}
