/**
 * @module test/entities/entity-crash.test
 * SIGKILL mid-batch, on both stores: a host process runs batches of entity
 * operations (each also signals a second entity) and is killed while it
 * works; a second process finishes. Every operation is applied exactly
 * once and in order, and the signals they issued are counted exactly once,
 * although some operations ran twice (their first batch never committed).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createApp, createHost, silentLogger } from '../../src/index.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { createTestSchema } from '../helpers/postgres.ts';

const script = fileURLToPath(new URL('./fixtures/entity-host.ts', import.meta.url));
const KEYS = ['a', 'b', 'c', 'd'];
const PER_KEY = 300;

function spawnHost(store: string, log: string): { child: ChildProcess; exited: Promise<void>; started: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, store, log], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('STARTED') && resolve()),
  );
  const exited = new Promise<void>((resolve, reject) =>
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' || signal === 'SIGTERM' ? resolve() : reject(new Error(`host exited ${code}: ${stderr}`)),
    ),
  );
  return { child, exited, started };
}

function runs(log: string): number {
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function crashAndRecover(store: string, log: string): Promise<void> {
  // A client-only host queues every operation before any worker runs.
  const client = await createHost({ app: createApp(), store, logger: silentLogger, workers: false });
  try {
    for (let seq = 0; seq < PER_KEY; seq++) {
      await Promise.all(KEYS.map((key) => client.client.signalEntity({ name: 'tally', key }, 'record', seq)));
    }
    const first = spawnHost(store, log);
    await first.started;
    // Pull the plug while batches are running: some operations have run, none of their batches may have committed.
    await until(() => runs(log) >= 50, 'the first host to run operations');
    first.child.kill('SIGKILL');
    await first.exited;
    const ranBeforeKill = runs(log);
    assert.ok(ranBeforeKill < KEYS.length * PER_KEY, 'the first host was killed before it ran every operation');

    const second = spawnHost(store, log);
    try {
      await until(
        async () => (await client.client.readEntityState({ name: 'total', key: 'all' })).state === KEYS.length * PER_KEY,
        'the total',
        90_000,
      );
      for (const key of KEYS) {
        const { state } = await client.client.readEntityState<number[]>({ name: 'tally', key });
        assert.deepEqual(
          state,
          Array.from({ length: PER_KEY }, (_, i) => i),
          `tally ${key}: every operation once, in order`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const total = await client.client.readEntityState({ name: 'total', key: 'all' });
      assert.equal(total.state, KEYS.length * PER_KEY, 'each signal counted once');
      assert.ok(runs(log) > KEYS.length * PER_KEY, 'operations of the killed batch ran again (the kill was mid-batch)');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  } finally {
    await client.stop();
  }
}

describe('entities survive SIGKILL', () => {
  it('on SQLite: no operation lost or applied twice', async () => {
    using dir = createTempDir('perdure-entity-crash-');
    await crashAndRecover(`sqlite:${dir.file('store.db')}`, dir.file('runs.log'));
  });

  it('on PostgreSQL: no operation lost or applied twice', async () => {
    using dir = createTempDir('perdure-entity-crash-pg-');
    await using schema = await createTestSchema('entitycrash');
    await crashAndRecover(schema.url, dir.file('runs.log'));
  });
});
