/**
 * @module test/entities/entities.test
 * Entities end to end on both stores (a SQLite file, a fresh PostgreSQL
 * schema): client signals and reads, per-operation rollback, calls and
 * signals from orchestrations, effects (signals, starts) committed with the
 * state, ordering, listing with continuation, cleaning, and two critical
 * sections that transfer between the same two accounts in opposite directions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHost, silentLogger, ValidationError, type Host } from '../../src/index.ts';
import { buildEntityApp } from './entity-app.ts';
import { entityStores, until } from './entity-stores.ts';

const stores = entityStores('entities');

for (const [storeName, makeStore] of Object.entries(stores)) {
  describe(`entities on ${storeName}`, () => {
    async function withHost(fn: (host: Host) => Promise<void>): Promise<void> {
      const { url, drop } = await makeStore();
      const host = await createHost({ app: buildEntityApp(), store: url, logger: silentLogger });
      try {
        await fn(host);
      } finally {
        await host.stop();
        await drop();
      }
    }
    const counter = (key: string) => ({ name: 'counter', key });

    it('signals create the entity and apply in order; readEntityState sees the committed state', () =>
      withHost(async ({ client }) => {
        assert.deepEqual(await client.readEntityState(counter('a')), { exists: false });
        await Promise.all(Array.from({ length: 50 }, () => client.signalEntity(counter('a'), 'add', 2)));
        for (let i = 0; i < 30; i++) await client.signalEntity({ name: 'Log', key: 'order' }, 'append', `m${i}`);
        await until(
          () => client.readEntityState<number>(counter('a')),
          (s) => s.state === 100,
          'counter a = 100',
        );
        const log = await until(
          () => client.readEntityState<string[]>({ name: 'log', key: 'order' }),
          (s) => s.state?.length === 30,
          '30 log items',
        );
        assert.deepEqual(
          log.state,
          Array.from({ length: 30 }, (_, i) => `m${i}`),
          'signals from one sender are processed in the order sent',
        );
        const status = await client.listEntities({ name: 'counter' });
        assert.deepEqual(
          status.entities.map((e) => e.id),
          [{ name: 'counter', key: 'a' }],
        );
      }));

    it('an operation that throws rolls back its own state change and signals, and nothing else', () =>
      withHost(async ({ client }) => {
        // Queued together, so one batch runs all three.
        await Promise.all([
          client.signalEntity(counter('r'), 'add', 1),
          client.signalEntity(counter('r'), 'addThenFail', 50),
          client.signalEntity(counter('r'), 'add', 2),
        ]);
        await until(
          () => client.readEntityState<number>(counter('r')),
          (s) => s.state === 3,
          'counter r = 3',
        );
        await client.signalEntity(counter('r'), 'add', 10);
        await until(
          () => client.readEntityState<number>(counter('r')),
          (s) => s.state === 13,
          'counter r = 13',
        );
        assert.deepEqual(await client.readEntityState({ name: 'log', key: 'from-failed' }), { exists: false });
      }));

    it('orchestrations call entities, see operation errors, and signal them', () =>
      withHost(async ({ client }) => {
        const { instanceId } = await client.startNew('CallCounter', { input: 'o' });
        const status = await client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
        assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status.failureDetails));
        assert.deepEqual(status.output, { total: 2, error: 'refused 100', after: 2 });
        await until(
          () => client.readEntityState<number>(counter('o')),
          (s) => s.state === 1002,
          'the signal from the orchestration',
        );
      }));

    it("an operation's signals and starts take effect with its state change", () =>
      withHost(async ({ client }) => {
        await client.signalEntity(counter('t'), 'addAndTell', 7);
        await until(
          () => client.readEntityState<string[]>({ name: 'log', key: 't' }),
          (s) => s.exists,
          'the log signal',
        );
        const echo = await client.waitForCompletion('echo-t', { timeoutMs: 20_000 });
        assert.equal(echo.output, 7);
        assert.deepEqual(await client.readEntityState(counter('t')), { exists: true, state: 7 });
      }));

    it('a scheduled signal waits for its time', () =>
      withHost(async ({ client }) => {
        await client.signalEntity(counter('later'), 'add', 1, { at: new Date(Date.now() + 1_500) });
        await client.signalEntity(counter('now'), 'add', 1);
        await until(
          () => client.readEntityState(counter('now')),
          (s) => s.exists,
          'the immediate signal',
        );
        assert.deepEqual(await client.readEntityState(counter('later')), { exists: false }, 'not before its time');
        await until(
          () => client.readEntityState(counter('later')),
          (s) => s.exists,
          'the scheduled signal',
        );
      }));

    it('lists with name, prefix and continuation; cleanEntityStorage removes entities without state', () =>
      withHost(async ({ client }) => {
        for (const key of ['k1', 'k2', 'k3', 'x1']) await client.signalEntity(counter(key), 'add', 1);
        await client.signalEntity(counter('k2'), 'reset');
        await until(
          () => client.readEntityState(counter('x1')),
          (s) => s.exists,
          'x1',
        );
        await until(
          () => client.readEntityState(counter('k2')),
          (s) => !s.exists,
          'k2 reset',
        );
        const first = await client.listEntities({ name: 'Counter', prefix: 'k', pageSize: 1, includeState: true, includeDeleted: true });
        assert.equal(first.entities.length, 1);
        assert.ok(first.continuationToken);
        const keys = [first.entities[0]!.id.key];
        let token: string | undefined = first.continuationToken;
        while (token) {
          const page = await client.listEntities({
            name: 'counter',
            prefix: 'k',
            pageSize: 1,
            continuationToken: token,
            includeDeleted: true,
          });
          keys.push(...page.entities.map((e) => e.id.key));
          token = page.continuationToken;
        }
        assert.deepEqual(keys.sort(), ['k1', 'k2', 'k3']);
        assert.equal(first.entities[0]!.state, 1);
        const existing = await client.listEntities({ name: 'counter' });
        assert.deepEqual(existing.entities.map((e) => e.id.key).sort(), ['k1', 'k3', 'x1']);
        assert.deepEqual(await client.cleanEntityStorage(), { emptyEntitiesRemoved: 1, orphanedLocksReleased: 0 });
        assert.equal(await client.getStatus('k2').catch(() => undefined), undefined);
        const all = await client.listEntities({ name: 'counter', includeDeleted: true });
        assert.deepEqual(all.entities.map((e) => e.id.key).sort(), ['k1', 'k3', 'x1']);
        await assert.rejects(client.listEntities({ prefix: 'k' }), ValidationError);
        await assert.rejects(client.signalEntity({ name: 'a@b', key: 'k' }, 'add'), ValidationError);
        await assert.rejects(client.signalEntity({ name: 'counter', key: 'a/b' }, 'add'), ValidationError);
      }));

    it('the empty key is a key: signal, read, call and list it', () =>
      withHost(async ({ client }) => {
        await client.signalEntity(counter(''), 'add', 3);
        await until(
          () => client.readEntityState<number>(counter('')),
          (s) => s.state === 3,
          'the empty-key counter',
        );
        assert.deepEqual(await client.readEntityState(counter('x')), { exists: false }, 'a different entity');
        const { instanceId } = await client.startNew('CallCounter', { input: '' });
        const status = await client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
        assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status.failureDetails));
        assert.equal((status.output as { total: number }).total, 5);
        const listed = await client.listEntities({ name: 'counter' });
        assert.deepEqual(
          listed.entities.map((e) => e.id),
          [{ name: 'counter', key: '' }],
        );
        assert.equal((await client.getEntity(counter('')))?.id.key, '');
        await assert.rejects(client.signalEntity({ name: 'counter', key: undefined as unknown as string }, 'add'), ValidationError);
      }));

    it('lists by the time of the last operation (lastOperationFrom / lastOperationTo, both inclusive)', () =>
      withHost(async ({ client }) => {
        await client.signalEntity(counter('early'), 'add', 1);
        await until(
          () => client.readEntityState(counter('early')),
          (s) => s.exists,
          'early',
        );
        const early = (await client.getEntity(counter('early')))!.lastModifiedTime;
        // Wait until the clock has moved past the first entity's last operation before the second one runs.
        while (Date.now() <= early.getTime() + 1) await new Promise((resolve) => setTimeout(resolve, 5));
        await client.signalEntity(counter('late'), 'add', 1);
        await until(
          () => client.readEntityState(counter('late')),
          (s) => s.exists,
          'late',
        );
        const late = (await client.getEntity(counter('late')))!.lastModifiedTime;
        assert.ok(late > early);
        const keys = async (query: { lastOperationFrom?: Date; lastOperationTo?: Date }) =>
          (await client.listEntities({ name: 'counter', ...query })).entities.map((e) => e.id.key).sort();
        assert.deepEqual(await keys({ lastOperationFrom: early }), ['early', 'late']);
        assert.deepEqual(await keys({ lastOperationFrom: new Date(early.getTime() + 1) }), ['late']);
        assert.deepEqual(await keys({ lastOperationTo: early }), ['early']);
        assert.deepEqual(await keys({ lastOperationFrom: late, lastOperationTo: late }), ['late']);
        await assert.rejects(client.listEntities({ lastOperationFrom: new Date('nope') }), ValidationError);
      }));

    it('two critical sections moving money between the same accounts in opposite directions both finish, total conserved', () =>
      withHost(async ({ client }) => {
        await client.signalEntity({ name: 'account', key: 'a' }, 'deposit', 100);
        await client.signalEntity({ name: 'account', key: 'b' }, 'deposit', 100);
        const starts = await Promise.all([
          client.startNew('Transfer', { input: { from: 'a', to: 'b', amount: 30 } }),
          client.startNew('Transfer', { input: { from: 'b', to: 'a', amount: 70 } }),
          client.startNew('Transfer', { input: { from: 'a', to: 'b', amount: 5 } }),
        ]);
        // Deposits racing the sections: they wait while an account is locked, and are never lost.
        for (let i = 0; i < 5; i++) {
          await client.signalEntity({ name: 'account', key: 'a' }, 'deposit', 1);
          await client.signalEntity({ name: 'account', key: 'b' }, 'deposit', 1);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        for (const { instanceId } of starts) {
          const status = await client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
          assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status.failureDetails));
          assert.equal(status.output, 'done');
        }
        // Releases travel after the orchestrations complete; then the held-back deposit runs.
        await until(
          () => client.listEntities({ name: 'account' }),
          (page) => page.entities.length === 2 && page.entities.every((e) => e.lockedBy === undefined && e.backlogQueueSize === 0),
          'every lock released and every held-back request run',
        );
        const a = await client.readEntityState<number>({ name: 'account', key: 'a' });
        const b = await client.readEntityState<number>({ name: 'account', key: 'b' });
        assert.equal(a.state, 100 - 30 + 70 - 5 + 5);
        assert.equal(b.state, 100 + 30 - 70 + 5 + 5);
      }));
  });
}
