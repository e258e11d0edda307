/**
 * @module test/store/postgres.test
 * Runs the store contract suite against PostgreSQL, each test's store in a
 * fresh schema that is dropped when the store closes; plus what only the URL
 * wiring of this store has (openStore, URL parameters, credentials never shown),
 * and batches that take the set-wise commit path in all its branches.
 * PostgreSQL-specific behaviour (many hosts, migrations, NOTIFY, reconnects)
 * is in the postgres-*.test.ts files.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError, StoreUnavailableError } from '../../src/model/errors.ts';
import { openStore } from '../../src/store/open-store.ts';
import { createPostgresStore } from '../../src/store/postgres/store.ts';
import type { Store } from '../../src/store/store.ts';
import { TEST_POSTGRES_URL, createTestSchema, withParam } from '../helpers/postgres.ts';
import { describeStore } from '../../src/store/contract/index.ts';
import { T0, claimInstance, commitFor, eventTypes, orchestratorStarted, raised, startRequest } from '../../src/store/contract/fixtures.ts';

describeStore('postgres', async () => {
  const schema = await createTestSchema('contract');
  const store = createPostgresStore({ url: schema.baseUrl, schema: schema.name, poolSize: 4 });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    await schema.drop();
    throw error;
  }
  return {
    ...store,
    close: async () => {
      await store.close();
      await schema.drop();
    },
  } satisfies Store;
});

describe('PostgreSQL store wiring', () => {
  it('openStore opens postgres:// and postgresql:// URLs with schema and poolSize parameters', async () => {
    await using schema = await createTestSchema('open');
    for (const scheme of ['postgres:', 'postgresql:']) {
      const url = new URL(withParam(schema.url, 'poolSize', '3'));
      url.protocol = scheme;
      const store = await openStore(url.toString());
      try {
        assert.match(store.description, new RegExp(`^postgres://[^@]+/test \\(schema ${schema.name}\\)$`));
        await store.createInstances([startRequest(`via-${scheme}`)]);
        assert.equal((await store.getInstance(`via-${scheme}`))?.instanceId, `via-${scheme}`);
      } finally {
        await store.close();
      }
    }
    const [tables] = await schema.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_version'",
    );
    assert.equal(tables?.n, 10, 'the tables were created in the named schema');
  });

  it('never shows credentials, and rejects bad parameters with a ConfigurationError', async () => {
    const secretUrl = new URL(TEST_POSTGRES_URL);
    secretUrl.username = 'someone';
    secretUrl.password = 'secret';
    const store = createPostgresStore({ url: secretUrl.toString() });
    assert.doesNotMatch(store.description, /secret|someone/);
    await assert.rejects(store.migrate(), (error: unknown) => {
      assert.doesNotMatch(String(error), /secret/);
      return true;
    });
    await store.close();
    await store.close();
    await assert.rejects(store.getInstance('a'), /closed/);

    const bad: [string, RegExp][] = [
      [withParam(secretUrl.toString(), 'schema', 'Bad-Name'), /Invalid PostgreSQL schema/],
      [withParam(secretUrl.toString(), 'poolSize', '0'), /Invalid PostgreSQL pool size/],
      [withParam(secretUrl.toString(), 'poolSize', 'many'), /Invalid PostgreSQL pool size/],
      ['postgres://someone:secret@[bad/x', /Invalid PostgreSQL store URL/],
    ];
    for (const [url, message] of bad) {
      await assert.rejects(openStore(url), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, `${url}: ${String(error)}`);
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /secret/);
        return true;
      });
    }
  });

  it('answers an unreachable server or an unknown role with StoreUnavailableError naming the store, not the password', async () => {
    const refused = new URL(TEST_POSTGRES_URL);
    refused.port = '1';
    refused.password = 'secret';
    const unknownRole = new URL(TEST_POSTGRES_URL);
    unknownRole.username = 'no_such_role';
    unknownRole.password = 'secret';
    for (const [url, cause] of [
      [refused, /ECONNREFUSED/],
      [unknownRole, /no_such_role/],
    ] as const) {
      const started = Date.now();
      await assert.rejects(openStore(url.toString(), { postgres: { reconnectWindowMs: 300 } }), (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError, String(error));
        assert.match(error.message, /store postgres:\/\/127\.0\.0\.1/);
        assert.match(error.message, cause);
        assert.doesNotMatch(error.message, /secret/);
        return true;
      });
      assert.ok(Date.now() - started < 5_000, 'gave up after the reconnect window, not the default 10 s');
    }
  });
});

describe('PostgreSQL store: commit batches', () => {
  const iso = (ms: number) => new Date(ms).toISOString();

  it('applies a batch mixing child starts, timers, messages and continue-as-new as each unit would alone', async () => {
    await using schema = await createTestSchema('batch');
    const store = createPostgresStore({ url: schema.baseUrl, schema: schema.name, poolSize: 2 });
    try {
      await store.migrate();
      await store.createInstances(['p1', 'p2', 'p3', 'other'].map((id) => startRequest(id)));
      const items = await store.claimOrchestrations({ owner: 'w', leaseMs: 60_000, limit: 10, now: T0 });
      const byId = new Map(items.map((item) => [item.instanceId, item]));
      await store.abandonOrchestrations([byId.get('other')!]);
      const timer = (taskId: number, at: number) => ({ type: 'TimerFired', timestamp: iso(at), taskId, fireAt: iso(at) }) as const;
      const p1 = byId.get('p1')!;
      const results = await store.commitOrchestrations([
        commitFor(p1, {
          newEvents: [orchestratorStarted()],
          childStarts: [
            {
              request: startRequest('c1', { parent: { instanceId: 'p1', executionId: p1.executionId, taskId: 0 } }),
              onConflictMessage: { instanceId: 'p1', event: raised('taken'), visibleAt: T0 },
            },
          ],
          messages: [
            { instanceId: 'p1', executionId: p1.executionId, event: timer(1, T0 + 100), visibleAt: T0 + 100 },
            { instanceId: 'other', event: raised('from-p1'), visibleAt: T0 },
            { instanceId: 'ghost', event: raised('lost'), visibleAt: T0 },
          ],
        }),
        commitFor(byId.get('p2')!, {
          runtimeStatus: 'ContinuedAsNew',
          continueAsNew: { executionId: 'p2-next', input: 2, carryover: [raised('kept')] },
          messages: [{ instanceId: 'other', event: raised('from-p2'), visibleAt: T0 }],
        }),
        commitFor(byId.get('p3')!, {
          activities: [{ taskId: 0, name: 'act' }],
          messages: [{ instanceId: 'ghost', event: raised('lost'), visibleAt: T0 }],
        }),
      ]);
      assert.deepEqual(results, [{ ok: true }, { ok: true }, { ok: true }]);
      assert.equal((await store.getInstance('c1'))?.parentInstanceId, 'p1');
      assert.deepEqual(eventTypes(await claimInstance(store, 'c1')), ['ExecutionStarted']);
      const other = (await claimInstance(store, 'other')).messages.map((m) => m.event);
      assert.deepEqual(other.slice(1), [raised('from-p1'), raised('from-p2')], 'after its own ExecutionStarted, in unit order');
      const p2 = await claimInstance(store, 'p2');
      assert.equal(p2.executionId, 'p2-next');
      assert.deepEqual(
        p2.messages.map((m) => m.event.type),
        ['ExecutionStarted', 'EventRaised'],
      );
      assert.deepEqual(
        (await store.claimActivities({ owner: 'w', leaseMs: 1, limit: 10, now: T0 })).map((t) => t.instanceId),
        ['p3'],
      );
      assert.deepEqual(
        (await claimInstance(store, 'p1', T0 + 100)).messages.map((m) => m.event),
        [timer(1, T0 + 100)],
      );
      await store.createInstances([startRequest('ghost', { now: T0 + 200 })]);
      assert.deepEqual(
        eventTypes(await claimInstance(store, 'ghost', T0 + 200)),
        ['ExecutionStarted'],
        'messages to a missing ID were dropped',
      );
    } finally {
      await store.close();
    }
  });

  it('applies two commits for one instance in a batch one after the other', async () => {
    await using schema = await createTestSchema('twice');
    const store = createPostgresStore({ url: schema.baseUrl, schema: schema.name, poolSize: 1 });
    try {
      await store.migrate();
      await store.createInstances([startRequest('a')]);
      const item = await claimInstance(store, 'a');
      const first = [orchestratorStarted(T0)];
      const second = [orchestratorStarted(T0 + 1)];
      assert.deepEqual(
        await store.commitOrchestrations([
          commitFor(item, { newEvents: first }),
          commitFor(item, { newEvents: second, consumedMessageIds: [] }),
        ]),
        [{ ok: true }, { ok: true }],
      );
      assert.deepEqual(await store.getHistory('a'), [...first, ...second]);
    } finally {
      await store.close();
    }
  });
});
