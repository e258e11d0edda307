/**
 * @module test/store/postgres-concurrency.test
 * Several hosts on one PostgreSQL schema, each with its own store and pool:
 * start-if-absent stays atomic, claims never hand one instance (or task) to
 * two hosts while a lease is valid, every message is consumed exactly once,
 * fencing works across hosts, and a transaction that fails mid-way rolls back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActivityWorkItem, OrchestrationWorkItem, StartRequest, Store } from '../../src/store/store.ts';
import { createTestSchema, openTestStores } from '../helpers/postgres.ts';
import { LEASE_MS, T0, claimInstance, commitFor, commitOk, raised, startRequest } from '../../src/store/contract/fixtures.ts';

const ids = (n: number, prefix = 'i') => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Every instance's visible messages, claimed once by one store. */
async function inboxOf(store: Store): Promise<Map<string, OrchestrationWorkItem>> {
  const items = await store.claimOrchestrations({ owner: 'check', leaseMs: 1, limit: 100_000, now: T0 + 10_000_000 });
  return new Map(items.map((item) => [item.instanceId, item]));
}

describe('PostgreSQL store: several hosts at once', () => {
  it('1,000 concurrent starts over 20 IDs from 4 stores create exactly 20 instances', async () => {
    await using schema = await createTestSchema('starts');
    await using hosts = await openTestStores(schema, 4, { poolSize: 5 });
    const results = (
      await Promise.all(Array.from({ length: 1000 }, (_, i) => hosts.stores[i % 4]!.createInstances([startRequest(`race-${i % 20}`)])))
    ).flat();
    const created = results.filter((r) => r.outcome === 'created');
    assert.equal(created.length, 20);
    assert.equal(results.filter((r) => r.outcome === 'conflict').length, 980);
    assert.deepEqual(
      created.map((r) => r.instance.instanceId).sort(),
      ids(20, 'race')
        .map((id) => `race-${Number(id.slice(5))}`)
        .sort(),
    );
    const winners = new Map(created.map((r) => [r.instance.instanceId, r.instance.executionId]));
    assert.ok(
      results.every((r) => r.instance.executionId === winners.get(r.instance.instanceId)),
      'losers see the winner',
    );
    const inbox = await inboxOf(hosts.stores[0]!);
    assert.equal(inbox.size, 20);
    for (const [id, item] of inbox) {
      assert.deepEqual(
        item.messages.map((m) => m.executionId),
        [winners.get(id)],
        `${id}: one ExecutionStarted`,
      );
    }
  });

  it('batches that name the same IDs in different orders neither deadlock nor double-create', async () => {
    await using schema = await createTestSchema('batches');
    await using hosts = await openTestStores(schema, 4, { poolSize: 5 });
    const all = ids(20);
    const batches = Array.from({ length: 200 }, () => shuffled(all).slice(0, 8));
    const results = await Promise.all(
      batches.map((batch, i) =>
        hosts.stores[i % 4]!.createInstances(batch.map((id) => startRequest(id, { onConflict: i % 3 === 0 ? 'useExisting' : 'reject' }))),
      ),
    );
    const created = results.flat().filter((r) => r.outcome === 'created');
    assert.deepEqual(
      created.map((r) => r.instance.instanceId).sort(),
      all.filter((id) => batches.some((b) => b.includes(id))),
    );
  });

  it('concurrent terminateExisting starts leave one execution per ID with exactly its own ExecutionStarted', async () => {
    await using schema = await createTestSchema('replace');
    await using hosts = await openTestStores(schema, 4, { poolSize: 5 });
    const requests: StartRequest[] = Array.from({ length: 200 }, (_, i) => startRequest(`r-${i % 5}`, { onConflict: 'terminateExisting' }));
    const results = (await Promise.all(requests.map((r, i) => hosts.stores[i % 4]!.createInstances([r])))).flat();
    assert.equal(results.filter((r) => r.outcome === 'created').length, 5);
    assert.equal(results.filter((r) => r.outcome === 'replaced').length, 195);
    const inbox = await inboxOf(hosts.stores[1]!);
    for (let i = 0; i < 5; i++) {
      const record = await hosts.stores[2]!.getInstance(`r-${i}`);
      const item = inbox.get(`r-${i}`);
      assert.deepEqual(
        item?.messages.map((m) => m.executionId),
        [record?.executionId],
      );
    }
  });

  it('concurrent claims from 4 stores never hand out one instance twice', async () => {
    await using schema = await createTestSchema('claims');
    await using hosts = await openTestStores(schema, 4, { poolSize: 4 });
    const all = ids(300);
    await hosts.stores[0]!.createInstances(all.map((id) => startRequest(id)));
    const claimed: string[] = [];
    const loop = async (store: Store, owner: string) => {
      for (;;) {
        const items = await store.claimOrchestrations({ owner, leaseMs: LEASE_MS, limit: 7, now: T0 });
        if (items.length === 0) return;
        claimed.push(...items.map((item) => item.instanceId));
      }
    };
    await Promise.all(hosts.stores.flatMap((store, s) => [0, 1, 2, 3].map((w) => loop(store, `host-${s}-${w}`))));
    assert.equal(new Set(claimed).size, claimed.length, 'no instance was handed out twice');
    assert.deepEqual(claimed.sort(), all);
  });

  it('concurrent activity claims from 4 stores never hand out one task twice', async () => {
    await using schema = await createTestSchema('tasks');
    await using hosts = await openTestStores(schema, 4, { poolSize: 4 });
    const [first] = hosts.stores;
    await first!.createInstances([startRequest('fan')]);
    const item = await claimInstance(first!, 'fan');
    const activities = Array.from({ length: 400 }, (_, taskId) => ({ taskId, name: 'work', input: taskId }));
    await commitOk(first!, commitFor(item, { activities }));
    const claimed: ActivityWorkItem[] = [];
    const loop = async (store: Store, owner: string) => {
      for (;;) {
        const tasks = await store.claimActivities({ owner, leaseMs: LEASE_MS, limit: 9, now: T0 });
        if (tasks.length === 0) return;
        claimed.push(...tasks);
      }
    };
    await Promise.all(hosts.stores.flatMap((store, s) => [0, 1, 2].map((w) => loop(store, `host-${s}-${w}`))));
    const taskIds = claimed.map((task) => task.taskId);
    assert.equal(new Set(taskIds).size, taskIds.length, 'no task was handed out twice');
    assert.equal(taskIds.length, 400);
    // Completing them all from different stores delivers each result exactly once.
    await Promise.all(
      hosts.stores.map((store, s) =>
        store.completeActivities(
          claimed.filter((_, i) => i % 4 === s).map((task) => ({ item: task, outcome: { result: task.taskId }, now: T0 })),
        ),
      ),
    );
    const results = (await claimInstance(first!, 'fan')).messages.map((m) => (m.event as { taskId: number }).taskId);
    assert.deepEqual(
      results.sort((a, b) => a - b),
      activities.map((a) => a.taskId),
    );
  });

  it('hosts that claim and commit at once consume every message exactly once', async () => {
    await using schema = await createTestSchema('consume');
    await using hosts = await openTestStores(schema, 4, { poolSize: 4 });
    const all = ids(60);
    await hosts.stores[0]!.createInstances(all.map((id) => startRequest(id)));
    const events = all.flatMap((id) => [1, 2, 3, 4].map((n) => ({ instanceId: id, event: raised(`e${n}`), now: T0 })));
    await hosts.stores[0]!.send(events.map((event) => ({ ...event, requireStatus: ['Pending' as const] })));
    const consumed: string[] = [];
    const loop = async (store: Store, owner: string) => {
      for (let idle = 0; idle < 3;) {
        const items = await store.claimOrchestrations({ owner, leaseMs: LEASE_MS, limit: 5, now: T0 });
        idle = items.length === 0 ? idle + 1 : 0;
        // Hand out one message per turn, so instances go round several times.
        const commits = items.map((item) => commitFor(item, { consumedMessageIds: item.messages.slice(0, 1).map((m) => m.id) }));
        const results = await store.commitOrchestrations(commits);
        assert.ok(
          results.every((r) => r.ok),
          'a valid lease always commits',
        );
        consumed.push(...commits.flatMap((c) => c.consumedMessageIds));
      }
    };
    await Promise.all(hosts.stores.flatMap((store, s) => [0, 1].map((w) => loop(store, `host-${s}-${w}`))));
    assert.equal(consumed.length, 60 * 5);
    assert.equal(new Set(consumed).size, consumed.length, 'no message was consumed twice');
  });

  it('fences a commit across stores: the host whose lease expired gets leaseLost', async () => {
    await using schema = await createTestSchema('fence');
    await using hosts = await openTestStores(schema, 2);
    const [a, b] = hosts.stores as [Store, Store];
    await a.createInstances([startRequest('x')]);
    const [stale] = await a.claimOrchestrations({ owner: 'host-a', leaseMs: 1000, limit: 1, now: T0 });
    assert.deepEqual(await b.claimOrchestrations({ owner: 'host-b', leaseMs: 1000, limit: 1, now: T0 + 999 }), []);
    const [current] = await b.claimOrchestrations({ owner: 'host-b', leaseMs: 1000, limit: 1, now: T0 + 1000 });
    assert.ok(stale && current && current.leaseToken > stale.leaseToken);
    assert.deepEqual(await a.commitOrchestrations([commitFor(stale, { runtimeStatus: 'Completed', output: 'stale' })]), [
      { ok: false, reason: 'leaseLost' },
    ]);
    await commitOk(b, commitFor(current, { runtimeStatus: 'Completed', output: 'current' }));
    assert.equal((await a.getInstance('x'))?.output, 'current');
  });

  it('rolls a batch back whole when a statement fails mid-way, and keeps working', async () => {
    await using schema = await createTestSchema('rollback');
    await using hosts = await openTestStores(schema, 1, { poolSize: 1 });
    const [store] = hosts.stores as [Store];
    await store.createInstances([startRequest('p')]);
    const item = await claimInstance(store, 'p');
    // PostgreSQL text cannot hold NUL: the child start fails after the turn's own writes.
    const broken = commitFor(item, {
      runtimeStatus: 'Completed',
      activities: [{ taskId: 0, name: 'act' }],
      childStarts: [{ request: startRequest('bad\u0000id'), onConflictMessage: { instanceId: 'p', event: raised('x'), visibleAt: T0 } }],
    });
    await assert.rejects(store.commitOrchestrations([broken]));
    assert.equal((await store.getInstance('p'))?.runtimeStatus, 'Pending');
    assert.deepEqual(await store.claimActivities({ owner: 'w', leaseMs: 1, limit: 10, now: T0 }), []);
    await commitOk(store, commitFor(item, { runtimeStatus: 'Completed' }));
    assert.equal((await store.getInstance('p'))?.runtimeStatus, 'Completed');
  });
});
