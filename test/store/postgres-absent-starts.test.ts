/**
 * @module test/store/postgres-absent-starts.test
 * The one-call start (decision 0039): a batch of new IDs is started by one
 * autocommit call of `perdure_start_absent`, and a batch that needs a
 * decision (an existing ID, a tombstone, one ID twice) writes nothing in that
 * call and is decided by the full start transaction. The Database is the real
 * pool; the wrapper only counts how each call reaches the server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInstances, startAbsent } from '../../src/store/postgres/absent-starts.ts';
import { resolveSettings } from '../../src/store/postgres/config.ts';
import { openDatabase, type Database } from '../../src/store/postgres/database.ts';
import { LEASE_MS, T0, raised, startRequest } from '../../src/store/contract/fixtures.ts';
import { createTestSchema, openTestStores, type TestSchema } from '../helpers/postgres.ts';

/** The schema's pool, counting single statements and transactions. */
async function countingDatabase(schema: TestSchema) {
  const migrated = await openTestStores(schema, 1);
  await migrated[Symbol.asyncDispose]();
  const settings = resolveSettings({ url: schema.baseUrl, schema: schema.name });
  const db = openDatabase(settings);
  const calls = { statements: 0, transactions: 0 };
  const counted: Database = {
    clientConfig: db.clientConfig,
    statement: (...args) => {
      calls.statements += 1;
      return db.statement(...args);
    },
    transaction: (fn) => {
      calls.transactions += 1;
      return db.transaction(fn);
    },
    close: () => db.close(),
  };
  return { db: counted, calls, channel: settings.channel, [Symbol.asyncDispose]: () => db.close() };
}

async function rows(schema: TestSchema) {
  const instances = await schema.query<{ instance_id: string }>('SELECT instance_id FROM instances ORDER BY instance_id');
  const inbox = await schema.query<{ instance_id: string; event: string }>('SELECT instance_id, event FROM inbox ORDER BY id');
  return {
    instances: instances.map((r) => r.instance_id),
    inbox: inbox.map((r) => `${r.instance_id}:${(JSON.parse(r.event) as { type: string }).type}`),
  };
}

describe('PostgreSQL store: starts of absent IDs in one call', () => {
  it('starts a batch of new IDs with one statement and no transaction, messages in request order', async () => {
    await using schema = await createTestSchema('absent');
    await using h = await countingDatabase(schema);
    const results = await createInstances(h.db, [startRequest('b', { event: raised('go') }), startRequest('a')], h.channel);
    assert.deepEqual(h.calls, { statements: 1, transactions: 0 });
    assert.deepEqual(
      results.map((r) => [r.outcome, r.instance.instanceId, r.instance.runtimeStatus]),
      [
        ['created', 'b', 'Pending'],
        ['created', 'a', 'Pending'],
      ],
    );
    assert.deepEqual(await rows(schema), { instances: ['a', 'b'], inbox: ['b:ExecutionStarted', 'b:EventRaised', 'a:ExecutionStarted'] });
  });

  it('hands back a leased start with its work item and message ids, as the full transaction does', async () => {
    await using schema = await createTestSchema('absent');
    await using h = await countingDatabase(schema);
    const lease = { owner: 'me', expiresAt: T0 + LEASE_MS };
    const [result] = await createInstances(h.db, [startRequest('a', { lease, event: raised('go') })], h.channel);
    assert.ok(result?.outcome === 'created' && result.workItem);
    const ids = await schema.query<{ id: string }>('SELECT id FROM inbox ORDER BY id');
    assert.deepEqual(
      result.workItem.messages.map((m) => [m.id, m.event.type]),
      [
        [String(ids[0]!.id), 'ExecutionStarted'],
        [String(ids[1]!.id), 'EventRaised'],
      ],
    );
    assert.deepEqual([result.workItem.leaseToken, result.workItem.deliveries], [1, 1]);
  });

  it('an existing ID in the batch: the call writes nothing, and the transaction decides every request', async () => {
    await using schema = await createTestSchema('absent');
    await using h = await countingDatabase(schema);
    await createInstances(h.db, [startRequest('old')], h.channel);
    const before = await rows(schema);
    assert.equal(await startAbsent(h.db, [startRequest('new'), startRequest('old')], h.channel), undefined);
    assert.deepEqual(await rows(schema), before, 'the refused call left no row and no message behind');
    h.calls.statements = 0;
    const results = await createInstances(h.db, [startRequest('new'), startRequest('old')], h.channel);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['created', 'conflict'],
    );
    assert.deepEqual(h.calls, { statements: 1, transactions: 1 });
    assert.deepEqual((await rows(schema)).inbox, ['old:ExecutionStarted', 'new:ExecutionStarted']);
  });

  it('a tombstoned ID: the call writes nothing, and the transaction answers with the tombstone', async () => {
    await using schema = await createTestSchema('absent');
    await using h = await countingDatabase(schema);
    await schema.query(
      `INSERT INTO instance_tombstones (instance_id, name, execution_id, runtime_status, created_at, purged_at)
       VALUES ('once', 'Orchestrator', 'e0', 'Completed', $1, $1)`,
      [T0],
    );
    assert.equal(await startAbsent(h.db, [startRequest('once', { reuseStatuses: [] })], h.channel), undefined);
    assert.deepEqual(await rows(schema), { instances: [], inbox: [] });
    const [result] = await createInstances(h.db, [startRequest('once', { reuseStatuses: [] })], h.channel);
    assert.equal(result?.outcome === 'conflict' && result.reason, 'tombstone');
  });

  it('one ID twice in a batch goes to the transaction without a call', async () => {
    await using schema = await createTestSchema('absent');
    await using h = await countingDatabase(schema);
    const results = await createInstances(h.db, [startRequest('a'), startRequest('a')], h.channel);
    assert.deepEqual(h.calls, { statements: 0, transactions: 1 });
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['created', 'conflict'],
    );
  });
});
