/**
 * @module test/entities/entity-locks.test
 * Locks end with their holder, on both stores: an orchestration that fails,
 * is terminated (holding its locks, or while its lock request is still on
 * its way), or continues as new without releasing leaves no lock behind,
 * and another orchestration can then lock the same entities.
 * `cleanEntityStorage` still releases a lock whose holder is gone. And an
 * entity operation that spins is stopped by the turn budget: it fails alone,
 * rolled back, and the entity carries on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHost, silentLogger, type Host } from '../../src/index.ts';
import { buildEntityApp } from './entity-app.ts';
import { entityStores, until } from './entity-stores.ts';

const stores = entityStores('entity-locks');

const account = (key: string) => ({ name: 'account', key });

for (const [storeName, makeStore] of Object.entries(stores)) {
  describe(`entity locks on ${storeName}`, () => {
    async function withHost(fn: (host: Host) => Promise<void>, turnBudgetMs?: number): Promise<void> {
      const { url, drop } = await makeStore();
      const host = await createHost({
        app: buildEntityApp(),
        store: url,
        logger: silentLogger,
        ...(turnBudgetMs === undefined ? {} : { orchestrations: { turnBudgetMs } }),
      });
      try {
        await fn(host);
      } finally {
        await host.stop();
        await drop();
      }
    }

    async function lockedBy(host: Host, key: string): Promise<string | undefined> {
      return (await host.client.getEntity(account(key)))?.lockedBy;
    }

    /** A transfer over the same accounts: it can only finish if nobody holds their locks. */
    async function transferFinishes(host: Host, from: string, to: string): Promise<void> {
      const { instanceId } = await host.client.startNew('Transfer', { input: { from, to, amount: 1 } });
      const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
      assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status.failureDetails));
      assert.equal(status.output, 'done');
    }

    it('an orchestration that fails holding locks releases them', () =>
      withHost(async (host) => {
        await host.client.signalEntity(account('f1'), 'deposit', 10);
        const { instanceId } = await host.client.startNew('LockThenFail', { input: ['f1', 'f2'] });
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
        assert.equal(status.runtimeStatus, 'Failed');
        await until(
          async () => [await lockedBy(host, 'f1'), await lockedBy(host, 'f2')],
          (holders) => holders.every((h) => h === undefined),
          'both locks released',
        );
        await transferFinishes(host, 'f1', 'f2');
        assert.deepEqual(await host.client.readEntityState(account('f1')), { exists: true, state: 10 + 1 - 1 });
      }));

    it('an orchestration terminated holding locks, and one terminated while its lock request waits, release them', () =>
      withHost(async (host) => {
        await host.client.signalEntity(account('t2'), 'deposit', 10);
        const holder = await host.client.startNew('LockThenWait', { input: ['t1', 't2'] });
        await until(
          async () => [await lockedBy(host, 't1'), await lockedBy(host, 't2')],
          (holders) => holders.every((h) => h === holder.instanceId),
          'the first section holds both locks',
        );
        // The second section's lock request is held back at t1, behind the first section.
        const waiter = await host.client.startNew('LockThenWait', { input: ['t2', 't1'] });
        await until(
          () => host.client.getEntity(account('t1')),
          (e) => e?.backlogQueueSize === 1,
          'the second lock request held back',
        );
        await host.client.terminate(waiter.instanceId, 'gave up waiting');
        await host.client.waitForCompletion(waiter.instanceId, { timeoutMs: 20_000 });
        await host.client.terminate(holder.instanceId, 'done holding');
        await host.client.waitForCompletion(holder.instanceId, { timeoutMs: 20_000 });
        // The waiter's lock request runs once the holder's locks go, then its release follows it along the set.
        await until(
          async () => [await host.client.getEntity(account('t1')), await host.client.getEntity(account('t2'))],
          (entities) => entities.every((e) => e !== undefined && e.lockedBy === undefined && e.backlogQueueSize === 0),
          'no lock left and nothing held back',
        );
        await transferFinishes(host, 't2', 't1');
      }));

    it('an execution that continues as new holding locks releases them, and the next execution locks again', () =>
      withHost(async (host) => {
        const { instanceId } = await host.client.startNew('LockThenContinue', { input: { keys: ['c1', 'c2'], round: 0 } });
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
        assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status.failureDetails));
        assert.equal(status.output, 2);
        await until(
          async () => [await lockedBy(host, 'c1'), await lockedBy(host, 'c2')],
          (holders) => holders.every((h) => h === undefined),
          'the last execution released on completion',
        );
        assert.deepEqual(await host.client.readEntityState(account('c1')), { exists: true, state: 3 });
        await transferFinishes(host, 'c1', 'c2');
      }));

    it('cleanEntityStorage releases a lock whose holder is gone', () =>
      withHost(async (host) => {
        await host.client.signalEntity(account('o1'), 'deposit', 5);
        await until(
          () => host.client.readEntityState(account('o1')),
          (s) => s.exists,
          'o1',
        );
        // A lock for an instance that does not exist (as if it had been purged while holding it).
        const now = Date.now();
        const lock = { kind: 'lock', id: 'ghost-lock', parent: 'ghost', lockSet: ['@account@o1'], position: 0 };
        await host.store.send([
          {
            instanceId: '@account@o1',
            event: { type: 'EventRaised', timestamp: new Date(now).toISOString(), name: 'op', input: lock },
            requireStatus: ['Running', 'Pending', 'Completed'],
            now,
          },
        ]);
        await until(
          () => lockedBy(host, 'o1'),
          (h) => h === 'ghost',
          'the ghost lock',
        );
        assert.deepEqual(await host.client.cleanEntityStorage(), { emptyEntitiesRemoved: 0, orphanedLocksReleased: 1 });
        await until(
          () => lockedBy(host, 'o1'),
          (h) => h === undefined,
          'the ghost lock released',
        );
        await transferFinishes(host, 'o1', 'o2');
      }));

    it('an entity operation that spins is stopped by the turn budget and fails alone, rolled back', () =>
      withHost(async (host) => {
        const spinner = { name: 'spinner', key: 's' };
        await host.client.signalEntity(spinner, 'add', 5);
        await until(
          () => host.client.readEntityState<number>(spinner),
          (s) => s.state === 5,
          'spinner = 5',
        );
        const { instanceId } = await host.client.startNew('CallSpinner', { input: 's' });
        const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
        assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status.failureDetails));
        assert.equal(status.output, 'TurnBudgetExceededError', 'the caller sees the operation fail with the budget error');
        await host.client.signalEntity(spinner, 'add', 2);
        await until(
          () => host.client.readEntityState<number>(spinner),
          (s) => s.state === 7,
          'the spin rolled back (not -1) and the next operation ran',
        );
      }, 200));
  });
}
