/**
 * @module test/store/postgres-leased-starts.test
 * The PostgreSQL store honours the start hand-off (the contract lets a store
 * ignore it): a leased start comes back with its first turn, the batch's
 * other messages stay for a claim, and only messages nobody was handed wake
 * the other hosts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { resolveSettings } from '../../src/store/postgres/config.ts';
import type { Store } from '../../src/store/store.ts';
import { LEASE_MS, T0, claimInstance, commitFor, commitOk, raised, startRequest } from '../../src/store/contract/fixtures.ts';
import { createTestSchema, openTestStores, TEST_POSTGRES_URL } from '../helpers/postgres.ts';

const lease = { owner: 'starter', expiresAt: T0 + LEASE_MS };

/** A raw LISTEN on the schema's channel, to see every NOTIFY (the store's own listener coalesces them). */
async function listen(schema: string) {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  const payloads: string[] = [];
  const channel = resolveSettings({ url: TEST_POSTGRES_URL, schema }).channel;
  client.on('notification', (n) => payloads.push(n.payload ?? ''));
  await client.query(`LISTEN "${channel}"`);
  return {
    channel,
    payloads,
    /** Resolves once `count` notifications have arrived. */
    async atLeast(count: number): Promise<void> {
      const deadline = Date.now() + 5_000;
      while (payloads.length < count) {
        if (Date.now() > deadline) assert.fail(`only ${payloads.length} notifications, wanted ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () => client.end(),
  };
}

describe('PostgreSQL store: leased starts', () => {
  it('hands back the first turn with its start and signal messages, claimable by nobody else', async () => {
    await using schema = await createTestSchema('lease');
    await using hosts = await openTestStores(schema, 1);
    const store = hosts.stores[0] as Store;
    const [result] = await store.createInstances([startRequest('a', { lease, event: raised('go', 1) })]);
    assert.ok(result?.outcome === 'created' && result.workItem, 'a leased start returns its work item');
    const item = result.workItem;
    assert.deepEqual([item.leaseToken, item.deliveries, item.historyLength], [1, 1, 0]);
    assert.deepEqual(
      item.messages.map((m) => m.event.type),
      ['ExecutionStarted', 'EventRaised'],
    );
    assert.ok(Number(item.messages[0]!.id) < Number(item.messages[1]!.id), 'ids in message order');
    assert.deepEqual(await store.claimOrchestrations({ owner: 'other', leaseMs: LEASE_MS, limit: 10, now: T0 }), []);
    await commitOk(store, commitFor(item));
    assert.deepEqual(await store.claimOrchestrations({ owner: 'other', leaseMs: LEASE_MS, limit: 10, now: T0 }), [], 'both consumed');
  });

  it('leaves the execution timeout out of the work item until it falls due', async () => {
    await using schema = await createTestSchema('lease');
    await using hosts = await openTestStores(schema, 1);
    const store = hosts.stores[0] as Store;
    const terminated = { type: 'ExecutionTerminated', timestamp: new Date(T0).toISOString(), reason: 'timeout' } as const;
    const [result] = await store.createInstances([startRequest('a', { lease, deadline: { at: T0 + 60_000, event: terminated } })]);
    assert.ok(result?.outcome === 'created' && result.workItem);
    assert.deepEqual(
      result.workItem.messages.map((m) => m.event.type),
      ['ExecutionStarted'],
    );
    await commitOk(store, commitFor(result.workItem));
    const due = await claimInstance(store, 'a', T0 + 60_000, 'other');
    assert.deepEqual(
      due.messages.map((m) => m.event.type),
      ['ExecutionTerminated'],
    );
  });

  it('leaves a later request’s event for a claim after the first commit', async () => {
    await using schema = await createTestSchema('lease');
    await using hosts = await openTestStores(schema, 1);
    const store = hosts.stores[0] as Store;
    const results = await store.createInstances([
      startRequest('a', { lease }),
      startRequest('a', { onConflict: 'useExisting', event: raised('late') }),
    ]);
    const first = results[0];
    assert.ok(first?.outcome === 'created' && first.workItem);
    assert.equal(first.workItem.messages.length, 1);
    assert.equal(results[1]?.outcome, 'existing');
    await commitOk(store, commitFor(first.workItem));
    const next = await claimInstance(store, 'a', T0, 'other');
    assert.deepEqual(
      next.messages.map((m) => m.event.type),
      ['EventRaised'],
    );
  });

  it('notifies other hosts only of messages it did not hand back', async () => {
    await using schema = await createTestSchema('lease');
    await using hosts = await openTestStores(schema, 1);
    const store = hosts.stores[0] as Store;
    const listener = await listen(schema.name);
    try {
      await store.createInstances([startRequest('leased', { lease })]);
      await store.createInstances([startRequest('mixed-1', { lease }), startRequest('mixed-2')]);
      await store.createInstances([startRequest('leased-2', { lease })]);
      // NOTIFYs arrive in commit order, so once this marker is in, every earlier one is too.
      await schema.query(`SELECT pg_notify($1, 'marker')`, [listener.channel]);
      await listener.atLeast(2);
      assert.deepEqual(listener.payloads, ['o', 'marker'], 'one wake-up: the mixed batch’s unleased start');
    } finally {
      await listener.close();
    }
  });
});
