/**
 * @module test/store/sqlite-faults.test
 * Real faults of a SQLite store file: an empty file, a corrupt one, a
 * read-only file system, an unwritable directory, a full disk. Each is a
 * StoreUnavailableError with its reason and the file's path, at open when it
 * can be seen then, and never a raw SqliteError; and the store's files are
 * private.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { openSync, readFileSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StoreUnavailableError } from '../../src/model/errors.ts';
import { openStore } from '../../src/store/open-store.ts';
import { createSqliteStore } from '../../src/store/sqlite/store.ts';
import type { StartRequest, Store } from '../../src/store/store.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { mountTmpfs } from '../helpers/tmpfs.ts';

const T0 = Date.UTC(2024, 0, 1);

function start(instanceId: string, input: unknown = { n: 1 }): StartRequest {
  return { instanceId, name: 'O', executionId: `e-${instanceId}`, input, onConflict: 'reject', reuseStatuses: [], now: T0 };
}

async function refused(open: Promise<unknown>, reason: string, path: string, detail?: RegExp): Promise<StoreUnavailableError> {
  const error = await open.then(
    () => assert.fail('the store was opened'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof StoreUnavailableError, `not a StoreUnavailableError: ${String(error)}`);
  assert.equal(error.reason, reason, error.message);
  assert.ok(error.message.includes(path), `the message names the file: ${error.message}`);
  assert.doesNotMatch(error.message, /\n/, 'one line');
  if (detail) assert.match(error.message, detail);
  return error;
}

async function populatedStore(path: string, count = 200): Promise<void> {
  const store = await openStore(`sqlite:${path}`);
  await store.createInstances(Array.from({ length: count }, (_, i) => start(`i${i}`, { text: 'x'.repeat(500) })));
  await store.close();
}

function overwrite(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('SQLite store files', () => {
  it('refuses a zero-byte file and leaves it as it is, instead of making it an empty store', async () => {
    using dir = createTempDir();
    const path = dir.file('perdure.db');
    writeFileSync(path, '');
    await refused(openStore(`sqlite:${path}`), 'corrupt', path, /empty \(0 bytes\)/);
    assert.equal(statSync(path).size, 0);
    assert.throws(() => createSqliteStore({ path }), StoreUnavailableError);
  });

  it('creates the directory 0700 and the database, -wal and -shm files 0600, whatever the umask', async () => {
    using dir = createTempDir();
    const path = join(dir.path, 'new', 'deeper', 'perdure.db');
    const umask = process.umask(0);
    let store: Store;
    try {
      store = await openStore(`sqlite:${path}`);
    } finally {
      process.umask(umask);
    }
    try {
      await store.createInstances([start('a')]);
      assert.equal(statSync(join(dir.path, 'new')).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir.path, 'new', 'deeper')).mode & 0o777, 0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(statSync(file).mode & 0o777, 0o600, file);
      assert.ok(statSync(path).size > 0, 'a new store file is never empty');
    } finally {
      await store.close();
    }
  });

  it('refuses a file whose pages were overwritten with garbage, naming the file and what quick_check found', async () => {
    using dir = createTempDir();
    const path = dir.file('perdure.db');
    await populatedStore(path);
    const size = statSync(path).size;
    // Past the pages that hold the schema (it outgrew page 1 with the counters of migration 6),
    // so the file opens and only quick_check finds the damage.
    const db = new Database(path, { readonly: true });
    const schemaPages = Number(db.prepare("SELECT max(pageno) FROM dbstat WHERE name = 'sqlite_schema'").pluck().get());
    db.close();
    const from = schemaPages * 4096;
    assert.ok(size > 2 * from, 'the store has data pages past its schema');
    overwrite(path, from, Buffer.alloc(size - from, 0x5a));
    await refused(openStore(`sqlite:${path}`), 'corrupt', path, /quick_check/);
  });

  it('refuses a file whose header is garbage', async () => {
    using dir = createTempDir();
    const path = dir.file('perdure.db');
    await populatedStore(path, 5);
    overwrite(path, 0, Buffer.from('this is not a database, it is garbage!!!'));
    await refused(openStore(`sqlite:${path}`), 'corrupt', path);
  });

  it('reports corruption found after opening (quick_check skipped on a large file) as StoreUnavailableError', async () => {
    using dir = createTempDir();
    const path = dir.file('perdure.db');
    await populatedStore(path);
    const size = statSync(path).size;
    // Keep the schema page and the first few pages; ruin the rest, where the instances' rows live.
    overwrite(path, 8 * 4096, Buffer.alloc(size - 8 * 4096, 0xa5));
    const failure = await (async () => {
      const store = await openStore(`sqlite:${path}`, { sqlite: { quickCheckMaxBytes: 0 } });
      try {
        await store.listInstances({ pageSize: 1000 });
        await store.createInstances(Array.from({ length: 50 }, (_, i) => start(`more-${i}`)));
        return undefined;
      } finally {
        await store.close();
      }
    })().then(
      () => assert.fail('a corrupt page went unnoticed'),
      (e: unknown) => e,
    );
    assert.ok(failure instanceof StoreUnavailableError, String(failure));
    assert.equal(failure.reason, 'corrupt');
    assert.ok(failure.message.includes(path));
  });

  it('refuses a store on a read-only file system, naming the file', async (t) => {
    const mounted = mountTmpfs(4 * 1024 * 1024);
    if (typeof mounted === 'string') return t.skip(mounted);
    using fs = mounted;
    const path = fs.file('perdure.db');
    await populatedStore(path, 10);
    const before = readFileSync(path);
    fs.readOnly();
    await refused(openStore(`sqlite:${path}`), 'readOnly', path);
    assert.deepEqual(readFileSync(path), before);
  });

  it('refuses a store whose directory cannot be created, as read-only, not as something else', async (t) => {
    const mounted = mountTmpfs(1024 * 1024);
    if (typeof mounted === 'string') return t.skip(mounted);
    using fs = mounted;
    fs.readOnly();
    const path = fs.file('data/perdure.db');
    await refused(openStore(`sqlite:${path}`), 'readOnly', path);
  });

  it('reports a full disk as StoreUnavailableError (full) to writers and to checkHealth, and recovers when space is freed', async (t) => {
    const mounted = mountTmpfs(2 * 1024 * 1024);
    if (typeof mounted === 'string') return t.skip(mounted);
    using fs = mounted;
    const path = fs.file('perdure.db');
    const store = await openStore(`sqlite:${path}`);
    try {
      await store.createInstances([start('before')]);
      const free = fs.fill();
      const big = { text: 'y'.repeat(64 * 1024) };
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.createInstances([start(`full-${i}`, big)])));
      const failures = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
      assert.ok(failures.length > 0, 'a write on a full disk failed');
      for (const failure of failures) {
        assert.ok(failure instanceof StoreUnavailableError, String(failure));
        assert.equal(failure.reason, 'full');
        assert.ok(failure.message.includes(path));
      }
      const health = await store.checkHealth();
      assert.equal(health.writable, false);
      assert.equal(health.reason, 'full');
      assert.equal((await store.getInstance('before'))?.instanceId, 'before', 'reads still work');

      free();
      await store.createInstances([start('after')]);
      // The fault holds for a moment (health does not flap with each small write), then a probe decides.
      let recovered = await store.checkHealth();
      while (!recovered.writable) {
        assert.equal(recovered.reason, 'full');
        await new Promise((resolve) => setTimeout(resolve, 100));
        recovered = await store.checkHealth();
      }
      assert.deepEqual(recovered, { writable: true });
    } finally {
      await store.close();
    }
  });

  it('refuses to open a store on a full disk', async (t) => {
    const mounted = mountTmpfs(1024 * 1024);
    if (typeof mounted === 'string') return t.skip(mounted);
    using fs = mounted;
    fs.fill();
    const path = fs.file('perdure.db');
    await refused(openStore(`sqlite:${path}`), 'full', path);
  });

  it('reports a write lock held past the busy timeout as StoreUnavailableError (busy), and writes again once it is released', async () => {
    using dir = createTempDir();
    const path = dir.file('perdure.db');
    const store = createSqliteStore({ path, busyTimeoutMs: 50 });
    await store.migrate();
    const other = new Database(path);
    try {
      await store.createInstances([start('before')]);
      other.exec('BEGIN IMMEDIATE');
      const error = await store.createInstances([start('blocked')]).then(
        () => assert.fail('the write went through a held lock'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof StoreUnavailableError, `not a StoreUnavailableError: ${String(error)}`);
      assert.equal(error.reason, 'busy');
      assert.ok(error.message.includes(path), error.message);
      assert.equal((await store.getInstance('before'))?.instanceId, 'before', 'reads still work');
      other.exec('ROLLBACK');
      await store.createInstances([start('after')]);
      assert.equal((await store.getInstance('after'))?.instanceId, 'after');
      assert.equal(await store.getInstance('blocked'), undefined, 'the refused write left nothing behind');
    } finally {
      other.close();
      await store.close();
    }
  });
});
