/**
 * @module test/store/postgres-faults.test
 * Faults of a PostgreSQL store: a database that refuses writes (a role whose
 * sessions are read-only, as after a failover to a standby) is refused at
 * open by the write probe, and once open its writes fail with
 * StoreUnavailableError (readOnly) and checkHealth says so. Other server
 * faults (disk full, corrupt data, I/O errors) cannot be caused on the
 * shared server, so their SQLSTATE mapping is checked on its own.
 * Only a fresh role and schema of this test are touched.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { StoreUnavailableError } from '../../src/model/errors.ts';
import { openStore } from '../../src/store/open-store.ts';
import { postgresFaultReason } from '../../src/store/postgres/faults.ts';
import type { StartRequest } from '../../src/store/store.ts';
import { TEST_POSTGRES_URL, adminQuery, createTestSchema, terminateConnections } from '../helpers/postgres.ts';

const PASSWORD = 'pw-that-must-not-show';

function start(instanceId: string): StartRequest {
  return { instanceId, name: 'O', executionId: `e-${instanceId}`, onConflict: 'reject', reuseStatuses: [], now: Date.UTC(2024, 0, 1) };
}

async function withRole<T>(schema: string, run: (url: string, role: string) => Promise<T>): Promise<T> {
  const role = `perdure_ro_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`);
  try {
    await adminQuery(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}`);
    await adminQuery(`GRANT ALL ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`);
    await adminQuery(`GRANT ALL ON ALL SEQUENCES IN SCHEMA "${schema}" TO ${role}`);
    const url = new URL(TEST_POSTGRES_URL);
    url.username = role;
    url.password = PASSWORD;
    url.searchParams.set('schema', schema);
    url.searchParams.set('application_name', role);
    return await run(url.toString(), role);
  } finally {
    await terminateConnections(role).catch(() => 0);
    await adminQuery(`DROP OWNED BY ${role}`).catch(() => {});
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
  }
}

function assertReadOnly(error: unknown): void {
  assert.ok(error instanceof StoreUnavailableError, String(error));
  assert.equal(error.reason, 'readOnly', error.message);
  assert.match(error.message, /25006/);
  assert.doesNotMatch(error.message, new RegExp(PASSWORD));
}

describe('PostgreSQL store faults', () => {
  it('fails writes with StoreUnavailableError (readOnly) once the database refuses them, and checkHealth says so', async () => {
    await using schema = await createTestSchema('ro');
    await (await openStore(schema.url)).close();
    await withRole(schema.name, async (url, role) => {
      const store = await openStore(url);
      try {
        await store.createInstances([start('before')]);
        await adminQuery(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
        await terminateConnections(role);
        const error = await store.createInstances([start('after')]).then(
          () => assert.fail('a write went through on a read-only database'),
          (e: unknown) => e,
        );
        assertReadOnly(error);
        const health = await store.checkHealth();
        assert.equal(health.writable, false);
        assert.equal(health.reason, 'readOnly');
        assert.equal((await store.getInstance('before'))?.instanceId, 'before', 'reads still work');
      } finally {
        await store.close();
      }
    });
  });

  it('refuses to open a store whose database is read-only, with the URL redacted', async () => {
    await using schema = await createTestSchema('ro');
    await (await openStore(schema.url)).close();
    await withRole(schema.name, async (url, role) => {
      await adminQuery(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
      const error = await openStore(url).then(
        (store) => store.close().then(() => assert.fail('a read-only database was opened')),
        (e: unknown) => e,
      );
      assertReadOnly(error);
      assert.match((error as Error).message, new RegExp(schema.name));
    });
  });

  it('maps the SQLSTATEs of server faults to reasons, and leaves bugs alone', () => {
    const reason = (code: string) => postgresFaultReason({ code });
    assert.equal(reason('53100'), 'full');
    assert.equal(reason('25006'), 'readOnly');
    assert.equal(reason('XX001'), 'corrupt');
    assert.equal(reason('XX002'), 'corrupt');
    assert.equal(reason('58030'), 'io');
    assert.equal(reason('53200'), 'unreachable');
    assert.equal(reason('53300'), 'unreachable');
    assert.equal(reason('23505'), undefined, 'a unique violation is a bug, not an outage');
    assert.equal(reason('42601'), undefined);
  });
});
