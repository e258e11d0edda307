/**
 * @module test/store/postgres-commit-path.test
 * Which path a PostgreSQL commit takes: the common batch is one
 * self-fencing statement in autocommit; a batch that statement refuses
 * (lost lease, queued start behind a finishing instance) or cannot carry
 * (continue-as-new) goes through the transaction, and the refused statement
 * wrote nothing. The database is the real one, only counted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../src/store/postgres/config.ts';
import { openDatabase, type Database } from '../../src/store/postgres/database.ts';
import { commitOrchestrations } from '../../src/store/postgres/orchestration-commit.ts';
import type { OrchestrationCommit, Store } from '../../src/store/store.ts';
import {
  T0,
  claimInstance,
  commitFor,
  createWithStatus,
  orchestratorStarted,
  raised,
  startRequest,
} from '../../src/store/contract/fixtures.ts';
import { createTestSchema, openTestStores, type TestSchema } from '../helpers/postgres.ts';

/** The schema's database, counting statements and transactions. */
function countedDatabase(schema: TestSchema) {
  const db = openDatabase(resolveSettings({ url: schema.baseUrl, schema: schema.name }));
  const counts = { statements: 0, transactions: 0 };
  const counted: Database = {
    ...db,
    statement: (...args) => {
      counts.statements += 1;
      return db.statement(...args);
    },
    transaction: (fn) => {
      counts.transactions += 1;
      return db.transaction(fn);
    },
  };
  return { db: counted, counts, channel: resolveSettings({ url: schema.baseUrl, schema: schema.name }).channel };
}

async function setup() {
  const schema = await createTestSchema('commit');
  const hosts = await openTestStores(schema, 1);
  const store = hosts.stores[0] as Store;
  const counted = countedDatabase(schema);
  const commit = (commits: OrchestrationCommit[]) => commitOrchestrations(counted.db, commits, counted.channel);
  return {
    store,
    counts: counted.counts,
    commit,
    async [Symbol.asyncDispose]() {
      await counted.db.close();
      await hosts[Symbol.asyncDispose]();
      await schema.drop();
    },
  };
}

describe('PostgreSQL store: commit paths', () => {
  it('commits an ordinary turn in one statement, without a transaction', async () => {
    await using t = await setup();
    await t.store.createInstances([startRequest('a')]);
    const item = await claimInstance(t.store, 'a');
    const results = await t.commit([
      commitFor(item, { newEvents: [orchestratorStarted()], activities: [{ taskId: 0, name: 'Act', input: 1 }] }),
    ]);
    assert.deepEqual(results, [{ ok: true }]);
    assert.deepEqual(t.counts, { statements: 1, transactions: 0 });
    assert.equal((await t.store.getInstance('a'))?.runtimeStatus, 'Running');
    assert.equal((await t.store.getHistory('a')).length, 1);
    assert.equal((await t.store.claimActivities({ owner: 'w', leaseMs: 1000, limit: 10, now: T0 })).length, 1);
  });

  it('writes nothing of a batch with a lost lease, and the transaction reports which unit lost it', async () => {
    await using t = await setup();
    await t.store.createInstances([startRequest('a'), startRequest('b')]);
    const items = await t.store.claimOrchestrations({ owner: 'w', leaseMs: 1000, limit: 10, now: T0 });
    const [a, b] = ['a', 'b'].map((id) => items.find((item) => item.instanceId === id)!);
    const stale = { ...b!, leaseToken: b!.leaseToken - 1 };
    const results = await t.commit([
      commitFor(a!, { newEvents: [orchestratorStarted()] }),
      commitFor(stale, { newEvents: [orchestratorStarted()] }),
    ]);
    assert.deepEqual(results, [{ ok: true }, { ok: false, reason: 'leaseLost' }]);
    assert.deepEqual(t.counts, { statements: 1, transactions: 1 });
    assert.equal((await t.store.getHistory('a')).length, 1, 'the good unit was applied once, by the transaction');
    assert.equal((await t.store.getInstance('b'))?.runtimeStatus, 'Pending', 'the stale unit wrote nothing');
  });

  it('leaves a finishing instance with a queued start to the transaction, which begins the start', async () => {
    await using t = await setup();
    await createWithStatus(t.store, [startRequest('a')], 'Running');
    await t.store.createInstances([startRequest('a', { onConflict: 'queueLatest', input: 'next' })]);
    await t.store.send([{ instanceId: 'a', event: raised('done'), requireStatus: ['Running'], now: T0 }]);
    const item = await claimInstance(t.store, 'a');
    assert.deepEqual(await t.commit([commitFor(item, { runtimeStatus: 'Completed', output: 1 })]), [{ ok: true }]);
    assert.deepEqual(t.counts, { statements: 1, transactions: 1 });
    const next = await t.store.getInstance('a');
    assert.deepEqual([next?.runtimeStatus, next?.input], ['Pending', 'next']);
  });

  it('continues as new in one statement when the commit names the orchestration, else in the transaction', async () => {
    await using t = await setup();
    await createWithStatus(t.store, [startRequest('a'), startRequest('b')], 'Running');
    await t.store.send(['a', 'b'].map((id) => ({ instanceId: id, event: raised('tick'), requireStatus: ['Running'] as const, now: T0 })));
    const named = await claimInstance(t.store, 'a');
    const carryover = [raised('kept')];
    assert.deepEqual(
      await t.commit([commitFor(named, { continueAsNew: { executionId: 'a2', name: 'Orchestrator', input: 2, carryover } })]),
      [{ ok: true }],
    );
    assert.deepEqual(t.counts, { statements: 1, transactions: 0 });
    const unnamed = await claimInstance(t.store, 'b');
    assert.deepEqual(await t.commit([commitFor(unnamed, { continueAsNew: { executionId: 'b2', input: 2, carryover: [] } })]), [
      { ok: true },
    ]);
    assert.deepEqual(t.counts, { statements: 1, transactions: 1 });
    const next = await claimInstance(t.store, 'a');
    assert.equal(next.executionId, 'a2');
    assert.deepEqual(
      next.messages.map((m) => [m.event.type, 'name' in m.event ? m.event.name : undefined]),
      [
        ['ExecutionStarted', 'Orchestrator'],
        ['EventRaised', 'kept'],
      ],
    );
    assert.equal((await t.store.getHistory('a')).length, 0, 'the old execution’s history is gone');
    assert.equal((await claimInstance(t.store, 'b')).executionId, 'b2');
  });
});
