/**
 * @module test/store/contract/runnable-claims
 * Contract cases for claims limited to what the host can run (ClaimOptions
 * `runnable`, rolling deploys): work of other names is never handed out,
 * never leased and never counted as a delivery, does not use up the claim's
 * limit, and is reported by findUnrunnableNames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClaimOptions, RunnableNames } from '../store.ts';
import { T0, claimInstance, commitFor, commitOk, startRequest, type StoreHarness } from './fixtures.ts';

const OLD_HOST: RunnableNames = { orchestrations: ['Known'], activities: ['known-task'], entities: ['counter'] };

const claim = (now: number, overrides: Partial<ClaimOptions> = {}): ClaimOptions => ({
  owner: 'old-host',
  leaseMs: 1000,
  limit: 10,
  now,
  runnable: OLD_HOST,
  ...overrides,
});

/** Oldest first: an unknown orchestration, an orchestration named like a known entity, an unknown entity, then the runnable ones. */
async function seedInstances(h: StoreHarness): Promise<void> {
  await h.store.createInstances([
    startRequest('new-1', { name: 'New', now: T0 }),
    startRequest('named-like-entity', { name: 'counter', now: T0 + 1 }),
    startRequest('@other@x', { name: 'other', now: T0 + 2 }),
    startRequest('known-1', { name: 'Known', now: T0 + 3 }),
    startRequest('@counter@x', { name: 'counter', now: T0 + 4 }),
  ]);
}

/** Instance `a` with tasks: an unknown activity first, then a known one. */
async function seedTasks(h: StoreHarness): Promise<void> {
  await h.store.createInstances([startRequest('a', { name: 'Known' })]);
  const item = await claimInstance(h.store, 'a');
  await commitOk(
    h.store,
    commitFor(item, {
      activities: [
        { taskId: 0, name: 'new-task' },
        { taskId: 1, name: 'known-task' },
      ],
    }),
  );
}

export function describeRunnableClaims(h: StoreHarness): void {
  describe('claims limited to runnable names', () => {
    it('claims only instances whose orchestration or entity name the host runs, past older ones it cannot', async () => {
      await seedInstances(h);
      const first = await h.store.claimOrchestrations(claim(T0 + 10, { limit: 1 }));
      assert.deepEqual(
        first.map((i) => i.instanceId),
        ['known-1'],
        'the limit counts only runnable instances',
      );
      const rest = await h.store.claimOrchestrations(claim(T0 + 10));
      assert.deepEqual(
        rest.map((i) => i.instanceId),
        ['@counter@x'],
      );
      assert.deepEqual(await h.store.claimOrchestrations(claim(T0 + 10)), []);
    });

    it('leaves the others unleased and uncounted, for a host that runs them', async () => {
      await seedInstances(h);
      await h.store.claimOrchestrations(claim(T0 + 10));
      const newHost = await h.store.claimOrchestrations(claim(T0 + 10, { owner: 'new-host', runnable: undefined }));
      assert.deepEqual(newHost.map((i) => i.instanceId).sort(), ['@other@x', 'named-like-entity', 'new-1']);
      assert.ok(
        newHost.every((i) => i.deliveries === 1 && i.leaseToken === 1),
        'a claim that skipped them took no lease and counted no delivery',
      );
      assert.equal((await h.store.getInstance('new-1'))?.runtimeStatus, 'Pending');
    });

    it('claims only tasks of activities the host runs, past older ones it cannot', async () => {
      await seedTasks(h);
      const mine = await h.store.claimActivities(claim(T0 + 1, { limit: 1 }));
      assert.deepEqual(
        mine.map((t) => t.name),
        ['known-task'],
      );
      assert.deepEqual(await h.store.claimActivities(claim(T0 + 1)), []);
      const [other] = await h.store.claimActivities(claim(T0 + 1, { owner: 'new-host', runnable: OLD_HOST }));
      assert.equal(other, undefined);
      const [taken] = await h.store.claimActivities(claim(T0 + 1, { owner: 'new-host', runnable: undefined }));
      assert.equal(taken?.name, 'new-task');
      assert.equal(taken?.attempt, 1, 'skipping a task counts no delivery');
    });

    it('names the claimable work a host with these names leaves waiting', async (t) => {
      const find = h.store.findUnrunnableNames?.bind(h.store);
      if (!find) return t.skip('the store does not implement findUnrunnableNames');
      await seedInstances(h);
      await seedTasks(h);
      await h.store.createInstances([startRequest('later', { name: 'Later', now: T0, visibleAt: T0 + 60_000 })]);
      assert.deepEqual(await find(OLD_HOST, T0 + 10), {
        orchestrations: ['New', 'counter'],
        activities: ['new-task'],
        entities: ['other'],
      });
      // Leased work is not waiting: once a host that runs everything holds it, nothing is reported.
      await h.store.claimOrchestrations(claim(T0 + 10, { owner: 'new-host', runnable: undefined, limit: 100 }));
      await h.store.claimActivities(claim(T0 + 10, { owner: 'new-host', runnable: undefined }));
      assert.deepEqual(await find(OLD_HOST, T0 + 10), { orchestrations: [], activities: [], entities: [] });
    });
  });
}
