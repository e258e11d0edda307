/**
 * @module test/store/postgres-housekeeping.test
 * The PostgreSQL store vacuums its queue tables itself as it empties them:
 * after enough deleted rows, in the background, one vacuum at a time, and a
 * failed vacuum changes nothing for the caller.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Database } from '../../src/store/postgres/database.ts';
import { createHousekeeper } from '../../src/store/postgres/housekeeping.ts';
import { createTestSchema, openTestStores } from '../helpers/postgres.ts';
import { LEASE_MS, T0, commitFor, startRequest } from '../../src/store/contract/fixtures.ts';

/** A Database whose statements wait until released, recording their text. */
function fakeDatabase(fail = false) {
  const statements: string[] = [];
  const waiting: (() => void)[] = [];
  const db = {
    statement: async (text: string) => {
      statements.push(text);
      await new Promise<void>((resolve) => waiting.push(resolve));
      if (fail) throw new Error('permission denied');
      return [];
    },
  } as unknown as Database;
  const releaseAll = async () => {
    for (const release of waiting.splice(0)) release();
    await sleep(0);
  };
  return { db, statements, releaseAll };
}

describe('PostgreSQL store housekeeping', () => {
  it('vacuums the queue tables after enough deleted rows, one vacuum at a time', async () => {
    const { db, statements, releaseAll } = fakeDatabase();
    const housekeeper = createHousekeeper(db, { everyRows: 100 });
    housekeeper.deleted(60);
    housekeeper.deleted(39);
    assert.deepEqual(statements, []);
    housekeeper.deleted(1);
    assert.deepEqual(statements, ['VACUUM (SKIP_LOCKED) inbox, activities']);
    housekeeper.deleted(500);
    assert.equal(statements.length, 1, 'no second vacuum while one runs');
    await releaseAll();
    housekeeper.deleted(1);
    assert.equal(statements.length, 2, 'rows deleted while it ran count towards the next one');
    const closed = housekeeper.close();
    let done = false;
    void closed.then(() => (done = true));
    await sleep(5);
    assert.equal(done, false, 'close waits for the running vacuum');
    await releaseAll();
    await closed;
    housekeeper.deleted(1000);
    assert.equal(statements.length, 2, 'nothing after close');
  });

  it('ignores a vacuum that fails', async () => {
    const { db, statements, releaseAll } = fakeDatabase(true);
    const housekeeper = createHousekeeper(db, { everyRows: 10 });
    housekeeper.deleted(10);
    await releaseAll();
    housekeeper.deleted(10);
    assert.equal(statements.length, 2, 'the next vacuum still runs');
    await releaseAll();
    await housekeeper.close();
  });

  it('vacuums the inbox of a real store once its turns consumed 2,000 messages', async () => {
    await using schema = await createTestSchema('vacuum');
    await using hosts = await openTestStores(schema, 1);
    const [store] = hosts.stores;
    const ids = Array.from({ length: 2_000 }, (_, i) => `v-${i}`);
    await store!.createInstances(ids.map((id) => startRequest(id)));
    const items = await store!.claimOrchestrations({ owner: 'w', leaseMs: LEASE_MS, limit: 10_000, now: T0 });
    assert.equal(items.length, 2_000);
    await store!.commitOrchestrations(items.map((item) => commitFor(item)));
    // Table statistics reach other sessions within a second or so.
    for (let waited = 0; ; waited += 100) {
      const [row] = await schema.query<{ vacuums: number }>(
        `SELECT vacuum_count::int AS vacuums FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'inbox'`,
      );
      if ((row?.vacuums ?? 0) > 0) break;
      assert.ok(waited < 15_000, 'the inbox was vacuumed');
      await sleep(100);
    }
  });
});
