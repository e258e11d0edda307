/**
 * The write lock that `perdure start`'s two threads share on one SQLite file
 * (sqlite/thread-write-lock.ts): a store's writes take it and always give it
 * back, nested writes do not wait for themselves, and a lock the other
 * thread never frees (it died holding it) delays a write by the busy timeout
 * and no more: SQLite's own lock still decides.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LEASE_MS, T0, startRequest } from '../../src/store/contract/fixtures.ts';
import { createThreadWriteLock } from '../../src/store/open-store.ts';
import { createSqliteStore } from '../../src/store/sqlite/store.ts';

const HELD = 1;

async function withStore(lock: Int32Array, run: (store: ReturnType<typeof createSqliteStore>) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'perdure-lock-'));
  const store = createSqliteStore({ path: join(dir, 'perdure.db'), threadWriteLock: lock, busyTimeoutMs: 200 });
  try {
    await store.migrate();
    await run(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite: the write lock shared by threads', () => {
  it('every write takes the lock and gives it back, whatever the write', async () => {
    const lock = createThreadWriteLock();
    await withStore(lock, async (store) => {
      let seenInside: number | undefined;
      // The input is serialised inside the start's write transaction: its getter sees the lock held.
      const input = {
        get n() {
          seenInside = Atomics.load(lock, 0);
          return 1;
        },
      };
      const [created] = await store.createInstances([startRequest('a', { input }), startRequest('b')]);
      assert.equal(created?.outcome, 'created');
      assert.equal(seenInside, HELD, 'held during the write');
      assert.equal(Atomics.load(lock, 0), 0, 'free after a start');
      const claimed = await store.claimOrchestrations({ owner: 'me', leaseMs: LEASE_MS, limit: 10, now: T0 });
      assert.equal(claimed.length, 2);
      assert.equal(Atomics.load(lock, 0), 0, 'free after a claim');
      const [conflict] = await store.createInstances([startRequest('a')]);
      assert.equal(conflict?.outcome, 'conflict');
      assert.equal(Atomics.load(lock, 0), 0, 'free after a write that decided a conflict');
    });
  });

  it('a lock held by a thread that never frees it delays writes by the busy timeout, then they go on without it', async () => {
    const lock = createThreadWriteLock();
    await withStore(lock, async (store) => {
      Atomics.store(lock, 0, HELD);
      const started = performance.now();
      const [created] = await store.createInstances([startRequest('a')]);
      // A lower bound only: a slow machine makes this longer, never shorter.
      assert.ok(performance.now() - started >= 150, 'the write waited for the lock first');
      assert.equal(created?.outcome, 'created', 'SQLite decided: its own lock was free');
      assert.equal(Atomics.load(lock, 0), HELD, 'a lock it did not take is not released');
      assert.equal((await store.getInstance('a'))?.runtimeStatus, 'Pending');
    });
  });
});
