/**
 * @module test/store/sqlite.test
 * Runs the store contract suite against SQLite files, plus what only SQLite
 * has: migrations of a file, reopening, refusing a newer schema, and several
 * OS processes sharing one file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ConfigurationError, SchemaVersionError } from '../../src/model/errors.ts';
import { openStore } from '../../src/store/open-store.ts';
import { openConnection } from '../../src/store/sqlite/database.ts';
import { LATEST_SCHEMA_VERSION, migrate } from '../../src/store/sqlite/schema.ts';
import { createSqliteStore } from '../../src/store/sqlite/store.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { describeStore } from '../../src/store/contract/index.ts';
import { T0, startRequest } from '../../src/store/contract/fixtures.ts';

const dir = createTempDir('perdure-sqlite-');
after(() => dir[Symbol.dispose]());
let fileCounter = 0;
const freshFile = () => dir.file(`store-${++fileCounter}.db`);

describeStore('sqlite', async () => {
  const store = createSqliteStore({ path: freshFile() });
  await store.migrate();
  return store;
});

describe('SQLite store', () => {
  it('migrates a new file in a new directory to the latest schema, in WAL mode', async () => {
    const path = dir.file(`nested-${++fileCounter}/deeper/perdure.db`);
    const store = createSqliteStore({ path });
    assert.equal(store.description, `sqlite:${path}`);
    await store.migrate();
    await store.migrate();
    await store.close();
    await store.close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      assert.deepEqual(
        tables.filter((t) => !String(t).startsWith('sqlite_')),
        [
          'activities',
          'event_ids',
          'history',
          'inbox',
          'instance_counts',
          'instance_tombstones',
          'instances',
          'pending_starts',
          'schedules',
          'store_probe',
        ],
      );
    } finally {
      db.close();
    }
  });

  it('keeps data when a file is reopened', async () => {
    const path = freshFile();
    const first = createSqliteStore({ path, synchronous: 'normal' });
    await first.migrate();
    const [created] = await first.createInstances([startRequest('kept', { input: { big: 'x'.repeat(10_000) } })]);
    await first.close();
    const second = await openStore(`sqlite:${path}`);
    try {
      assert.deepEqual(await second.getInstance('kept'), created?.instance);
      const [item] = await second.claimOrchestrations({ owner: 'w', leaseMs: 1000, limit: 1, now: T0 });
      assert.equal(item?.instanceId, 'kept');
    } finally {
      await second.close();
    }
  });

  it('migrates a version 1 file: history moves to a rowid table and reads back unchanged', async () => {
    const path = freshFile();
    const v1 = openConnection({ path, synchronous: 'full', busyTimeoutMs: 1000 });
    migrate(v1, path, 1);
    const events = [{ type: 'OrchestratorStarted', timestamp: new Date(T0).toISOString() }];
    v1.write(() => {
      v1.statement(
        `INSERT INTO instances (instance_id, name, execution_id, runtime_status, created_at, updated_at, history_length)
                    VALUES ('old', 'Orchestrator', 'e1', 'Running', ${T0}, ${T0}, 2)`,
      ).run();
      v1.statement('INSERT INTO history (instance_id, seq, events) VALUES (?, ?, ?)').run('old', 0, JSON.stringify(events));
      v1.statement('INSERT INTO history (instance_id, seq, events) VALUES (?, ?, ?)').run('old', 1, JSON.stringify(events));
    });
    assert.match(String(v1.statement("SELECT sql FROM sqlite_master WHERE name = 'history'").pluck().get()), /WITHOUT ROWID/);
    v1.close();
    const store = await openStore(`sqlite:${path}`);
    try {
      assert.deepEqual(await store.getHistory('old'), [...events, ...events]);
      const counts = await store.countInstancesByStatus();
      assert.equal(counts.Running, 1, 'migration 6 counts the instances that were already there');
      assert.equal(
        Object.values(counts).reduce((a, b) => a + b),
        1,
      );
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
      assert.doesNotMatch(String(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'history'").pluck().get()), /WITHOUT ROWID/);
    } finally {
      db.close();
    }
  });

  it('refuses a file written by a newer schema version, naming both versions', async () => {
    const path = freshFile();
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 7}`);
    db.close();
    const check = (error: unknown) => {
      assert.ok(error instanceof SchemaVersionError);
      assert.match(error.message, new RegExp(`\\b${LATEST_SCHEMA_VERSION + 7}\\b`));
      assert.match(error.message, new RegExp(`\\b${LATEST_SCHEMA_VERSION}\\b`));
      return true;
    };
    assert.throws(() => createSqliteStore({ path }), check);
    await assert.rejects(openStore(`sqlite:${path}`), check);
  });

  it('honours a start lease: the first turn comes back as a work item', async () => {
    const store = createSqliteStore({ path: freshFile() });
    await store.migrate();
    try {
      const [result] = await store.createInstances([startRequest('leased', { lease: { owner: 'me', expiresAt: T0 + 1000 } })]);
      assert.ok(result?.outcome === 'created' && result.workItem, 'SQLite leases the start');
      assert.equal(result.workItem.leaseToken, 1);
    } finally {
      await store.close();
    }
  });

  it('fails calls on a closed store with a clear error', async () => {
    const store = createSqliteStore({ path: freshFile() });
    await store.migrate();
    await store.close();
    await assert.rejects(store.getInstance('a'), /closed/);
  });

  it('openStore accepts sqlite: URLs and .db paths and rejects any other file or scheme', async () => {
    const bare = dir.file(`bare-${++fileCounter}.db`);
    const fromBare = await openStore(relative(process.cwd(), bare));
    assert.equal(fromBare.description, `sqlite:${bare}`, 'a relative path resolves against the cwd');
    await fromBare.close();
    const memory = await openStore('sqlite::memory:');
    await memory.createInstances([startRequest('m')]);
    assert.equal((await memory.getInstance('m'))?.instanceId, 'm');
    await memory.close();
    const bad: [string, RegExp][] = [
      ['mysql://user:secret@host/db', /Unsupported store URL with scheme 'mysql:'/],
      ['sqlite:', /names no file/],
      ['sqlite:///tmp/x.db', /ambiguous/],
      ['', /empty/],
      ['./data/store.txt', /Unsupported store URL/],
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

  it('4 processes racing 50 starts each on 5 IDs in one new file create exactly 5 instances', async () => {
    const path = freshFile();
    const script = fileURLToPath(new URL('./sqlite-race-child.ts', import.meta.url));
    const startAt = Date.now() + 2000;
    const run = promisify(execFile);
    const outputs = await Promise.all(
      [0, 1, 2, 3].map((worker) =>
        run(process.execPath, ['--import', 'tsx', script, path, String(startAt), `w${worker}`], { timeout: 60_000 }),
      ),
    );
    const reports = outputs.map(({ stdout }) => JSON.parse(stdout) as { created: string[]; total: number });
    assert.deepEqual(
      reports.map((r) => r.total),
      [50, 50, 50, 50],
    );
    const created = reports.flatMap((r) => r.created).sort();
    assert.deepEqual(created, ['race-0', 'race-1', 'race-2', 'race-3', 'race-4']);
    const store = await openStore(`sqlite:${path}`);
    try {
      const page = await store.listInstances({ pageSize: 100 });
      assert.equal(page.instances.length, 5);
      const items = await store.claimOrchestrations({ owner: 'check', leaseMs: 1000, limit: 100, now: Date.now() + 10_000 });
      assert.deepEqual(
        items.map((i) => i.messages.length),
        [1, 1, 1, 1, 1],
        'one ExecutionStarted per instance',
      );
    } finally {
      await store.close();
    }
  });
});
