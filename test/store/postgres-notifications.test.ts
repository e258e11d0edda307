/**
 * @module test/store/postgres-notifications.test
 * LISTEN/NOTIFY between hosts, and surviving dropped connections: a commit
 * on one store wakes the listener of another, bursts are coalesced, and
 * after the server kills every connection of a store it keeps working and
 * its LISTEN client subscribes again.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../src/store/postgres/config.ts';
import { parseWork, throttle, workPayload } from '../../src/store/postgres/notifications.ts';
import { createPostgresStore } from '../../src/store/postgres/store.ts';
import type { ExternalWork, Store } from '../../src/store/store.ts';
import { adminQuery, createTestSchema, openTestStores, terminateConnections, withParam } from '../helpers/postgres.ts';
import { T0, claimInstance, commitFor, commitOk, raised, startRequest } from '../../src/store/contract/fixtures.ts';

/** Counts a store's external-work wake-ups, and keeps what each announced. */
function countWakeUps(store: Store) {
  let count = 0;
  const announced: ExternalWork[] = [];
  const unsubscribe = store.onExternalWork!((work) => {
    count += 1;
    announced.push(work);
  });
  return {
    get count() {
      return count;
    },
    get last() {
      return announced.at(-1);
    },
    /** Resolves once the count has grown past `than`. */
    async moreThan(than: number, what: string, timeoutMs = 5_000): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      while (count <= than) {
        if (Date.now() > deadline) assert.fail(`no wake-up after ${what} within ${timeoutMs} ms`);
        await sleep(5);
      }
      return count;
    },
    unsubscribe,
  };
}

describe('PostgreSQL store notifications', () => {
  it('wakes a listener on another store after each kind of commit that queues work', async () => {
    await using schema = await createTestSchema('notify');
    await using hosts = await openTestStores(schema, 2);
    const [writer, reader] = hosts.stores as [Store, Store];
    const wakeUps = countWakeUps(reader);
    try {
      let seen = await wakeUps.moreThan(0, 'subscribing (the LISTEN is live)');
      const orchestrations = { orchestrations: true, activities: false };
      const step = async (what: string, action: () => Promise<unknown>, work: ExternalWork = orchestrations) => {
        await sleep(20); // let the throttle interval pass, so each wake-up is its own
        await action();
        seen = await wakeUps.moreThan(seen, what);
        assert.deepEqual(wakeUps.last, work, `what ${what} announced`);
      };
      await step('createInstances', () => writer.createInstances([startRequest('a')]));
      const item = await claimInstance(writer, 'a');
      await step(
        'a commit that schedules an activity',
        () => commitOk(writer, commitFor(item, { activities: [{ taskId: 0, name: 'act' }] })),
        {
          orchestrations: false,
          activities: true,
        },
      );
      const [task] = await writer.claimActivities({ owner: 'w', leaseMs: 60_000, limit: 1, now: T0 });
      await step('completeActivities', () => writer.completeActivities([{ item: task!, outcome: { result: 1 }, now: T0 }]));
      await step('send', () => writer.send([{ instanceId: 'a', event: raised('e'), requireStatus: ['Running'], now: T0 }]));
      await step('createInstances', () => writer.createInstances([startRequest('b')]));
      const items = await writer.claimOrchestrations({ owner: 'w', leaseMs: 60_000, limit: 10, now: T0 });
      assert.deepEqual(items.map((i) => i.instanceId).sort(), ['a', 'b']);
      await step(
        'a batch that schedules an activity and messages an instance',
        async () => {
          const commits = items.map((i) =>
            i.instanceId === 'a'
              ? commitFor(i)
              : commitFor(i, {
                  activities: [{ taskId: 0, name: 'act' }],
                  messages: [{ instanceId: 'a', event: raised('f'), visibleAt: T0 }],
                }),
          );
          assert.ok((await writer.commitOrchestrations(commits)).every((r) => r.ok));
        },
        { orchestrations: true, activities: true },
      );
      await sleep(50);
      const quiet = wakeUps.count;
      await writer.getInstance('a');
      await writer.claimOrchestrations({ owner: 'w', leaseMs: 60_000, limit: 10, now: T0 });
      await sleep(100);
      assert.equal(wakeUps.count, quiet, 'reads and claims notify nobody');
    } finally {
      wakeUps.unsubscribe();
    }
  });

  it('coalesces a burst of notifications into at most one wake-up per few ms', async () => {
    await using schema = await createTestSchema('burst');
    await using hosts = await openTestStores(schema, 1);
    const [reader] = hosts.stores as [Store];
    const { channel } = resolveSettings({ url: schema.baseUrl, schema: schema.name });
    const wakeUps = countWakeUps(reader);
    try {
      const before = await wakeUps.moreThan(0, 'subscribing');
      const started = performance.now();
      // 2,000 separate commits, each with its own NOTIFY, as fast as the server goes.
      await adminQuery(
        `DO $$ BEGIN
           SET LOCAL synchronous_commit = off;
           FOR i IN 1..2000 LOOP PERFORM pg_notify('${channel}', ''); COMMIT; END LOOP;
         END $$`,
      );
      await wakeUps.moreThan(before, 'the burst');
      await sleep(50);
      const elapsed = performance.now() - started;
      const during = wakeUps.count - before;
      assert.ok(during <= Math.ceil(elapsed / 5) + 1, `${during} wake-ups in ${elapsed.toFixed(0)} ms`);
      assert.ok(during < 400, `2,000 notifications woke the listener ${during} times`);
    } finally {
      wakeUps.unsubscribe();
    }
  });

  it('reads which work a payload announces, and takes an unknown one (an older host) for both', () => {
    const both = { orchestrations: true, activities: true };
    for (const work of [{ orchestrations: true, activities: false }, { orchestrations: false, activities: true }, both]) {
      assert.deepEqual(parseWork(workPayload(work)), work);
    }
    assert.equal(workPayload({ orchestrations: false, activities: false }), '');
    assert.deepEqual(parseWork(''), both);
    assert.deepEqual(parseWork('something else'), both);
  });

  it('throttle runs at once when idle, then at most once per interval, never dropping the last call', async () => {
    let calls = 0;
    const run = throttle(() => {
      calls += 1;
    }, 30);
    run();
    assert.equal(calls, 1);
    for (let i = 0; i < 100; i++) run();
    assert.equal(calls, 1);
    await sleep(60);
    assert.equal(calls, 2, 'one trailing call for the burst');
    await sleep(40);
    run();
    assert.equal(calls, 3);
  });

  it('keeps working, and listens again, after the server terminates all its connections', async () => {
    await using schema = await createTestSchema('reconnect');
    const applicationName = schema.name; // tags this store's connections, and only those
    const url = withParam(withParam(schema.baseUrl, 'application_name', applicationName), 'schema', schema.name);
    const victim = createPostgresStore({ url, poolSize: 3 });
    await using hosts = await openTestStores(schema, 1);
    const [writer] = hosts.stores as [Store];
    let wakeUps: ReturnType<typeof countWakeUps> | undefined;
    try {
      await victim.migrate();
      wakeUps = countWakeUps(victim);
      const listening = await wakeUps.moreThan(0, 'subscribing');
      await Promise.all([1, 2, 3].map((i) => victim.createInstances([startRequest(`before-${i}`)])));

      const killed = await terminateConnections(applicationName);
      assert.ok(killed >= 2, `terminated the pool and the LISTEN connection (${killed})`);

      // Every kind of call works again at once: dead idle clients are dropped and retried.
      assert.equal((await victim.getInstance('before-1'))?.instanceId, 'before-1');
      const [created] = await victim.createInstances([startRequest('after')]);
      assert.equal(created?.outcome, 'created');
      const item = await claimInstance(victim, 'after');
      await commitOk(victim, commitFor(item));

      const relistened = await wakeUps.moreThan(listening, 'reconnecting the LISTEN client');
      await sleep(20);
      await writer.send([{ instanceId: 'after', event: raised('ping'), requireStatus: ['Running'], now: T0 }]);
      await wakeUps.moreThan(relistened, 'a NOTIFY after reconnecting');
    } finally {
      wakeUps?.unsubscribe();
      await victim.close();
    }
  });
});
