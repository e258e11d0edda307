/**
 * @module test/store/postgres-migrations.test
 * Migrations of a PostgreSQL schema: several hosts starting at once on a
 * fresh schema migrate it exactly once, and a schema written by a newer
 * Perdure is refused with both versions named.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaVersionError } from '../../src/model/errors.ts';
import { openStore } from '../../src/store/open-store.ts';
import { LATEST_SCHEMA_VERSION } from '../../src/store/postgres/schema.ts';
import { createPostgresStore } from '../../src/store/postgres/store.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { startRequest } from '../../src/store/contract/fixtures.ts';

describe('PostgreSQL store migrations', () => {
  it('8 stores migrating a fresh schema at once all succeed, and it is migrated once', async () => {
    await using schema = await createTestSchema('migrate');
    const stores = Array.from({ length: 8 }, () => createPostgresStore({ url: schema.baseUrl, schema: schema.name, poolSize: 2 }));
    try {
      const results = await Promise.allSettled(stores.map((store) => store.migrate()));
      assert.deepEqual(
        results.map((r) => r.status),
        Array(8).fill('fulfilled'),
      );
      const versions = await schema.query<{ version: number }>('SELECT version FROM schema_version');
      assert.deepEqual(versions, [{ version: LATEST_SCHEMA_VERSION }], 'one version row');
      const tables = await schema.query<{ tablename: string }>(
        'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename',
      );
      assert.deepEqual(
        tables.map((t) => t.tablename),
        [
          'activities',
          'event_ids',
          'history',
          'inbox',
          'instance_count_deltas',
          'instance_tombstones',
          'instances',
          'pending_starts',
          'schedules',
          'schema_version',
          'store_probe',
        ],
      );
      await stores[3]!.createInstances([startRequest('a')]);
      assert.equal((await stores[5]!.getInstance('a'))?.instanceId, 'a');
      await stores[0]!.migrate();
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('refuses a schema written by a newer version, naming both versions', async () => {
    await using schema = await createTestSchema('newer');
    const first = createPostgresStore({ url: schema.baseUrl, schema: schema.name, poolSize: 1 });
    await first.migrate();
    await first.createInstances([startRequest('kept')]);
    await first.close();
    const newer = LATEST_SCHEMA_VERSION + 7;
    await schema.query('UPDATE schema_version SET version = $1', [newer]);

    const check = (error: unknown) => {
      assert.ok(error instanceof SchemaVersionError, String(error));
      assert.match(error.message, new RegExp(`\\b${newer}\\b`));
      assert.match(error.message, new RegExp(`\\b${LATEST_SCHEMA_VERSION}\\b`));
      assert.match(error.message, new RegExp(`schema ${schema.name}`));
      return true;
    };
    const store = createPostgresStore({ url: schema.baseUrl, schema: schema.name, poolSize: 1 });
    try {
      await assert.rejects(store.migrate(), check);
    } finally {
      await store.close();
    }
    await assert.rejects(openStore(schema.url), check);
    const [row] = await schema.query<{ version: number; n: number }>(
      'SELECT version, (SELECT count(*)::int FROM instances) AS n FROM schema_version',
    );
    assert.deepEqual(row, { version: newer, n: 1 }, 'the refused migration changed nothing');
  });

  it('uses an existing schema without needing to create it', async () => {
    await using schema = await createTestSchema('existing');
    await schema.query(`CREATE SCHEMA "${schema.name}"`);
    const store = await openStore(schema.url);
    try {
      await store.createInstances([startRequest('a')]);
      assert.equal((await store.getInstance('a'))?.runtimeStatus, 'Pending');
    } finally {
      await store.close();
    }
  });
});
