import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/open-store.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

const script = fileURLToPath(new URL('./fixtures/host-process.ts', import.meta.url));

function spawnHost(args: string[]): { child: ChildProcess; output: Promise<string>; lines: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const output = new Promise<string>((resolve, reject) =>
    child.on('exit', (code, signal) =>
      code === 0 || signal === 'SIGKILL' ? resolve(lines.join('\n')) : reject(new Error(`host exited ${code}: ${stderr}`)),
    ),
  );
  return { child, output, lines };
}

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('real processes on one SQLite file', () => {
  it('survives SIGKILL mid-run: after a restart every instance completes with the right output and a clean history', async () => {
    using dir = createTempDir('perdure-crash-');
    const db = dir.file('perdure.db');
    const first = spawnHost(['crash', db, '30', dir.file('executions.log')]);
    await until(() => first.lines.includes('STARTED'));
    await new Promise((r) => setTimeout(r, 250)); // let some activities and turns commit, then pull the plug
    first.child.kill('SIGKILL');
    await first.output;
    assert.ok(!first.lines.includes('DONE'), 'the first run should have been killed mid-run');

    const second = spawnHost(['crash', db, '30', dir.file('executions.log')]);
    await second.output;
    assert.ok(second.lines.includes('DONE'));

    const store = await openStore(`sqlite:${db}`);
    try {
      for (let i = 0; i < 30; i++) {
        const instance = await store.getInstance(`crash-${i}`);
        assert.equal(instance?.runtimeStatus, 'Completed');
        assert.deepEqual(instance?.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
        const history = await store.getHistory(`crash-${i}`);
        for (const type of ['TaskScheduled', 'TaskCompleted'] as const) {
          const ids = history.filter((e) => e.type === type).map((e) => (e as { taskId: number }).taskId);
          assert.deepEqual(ids, [0, 1, 2], `${type} events of crash-${i} are duplicated or out of order: ${ids.join(',')}`);
        }
        assert.equal(history.filter((e) => e.type === 'ExecutionStarted').length, 1);
      }
    } finally {
      await store.close();
    }
  });

  it('4 processes racing 50 starts each over 5 IDs create exactly 5 instances, each executed once', async () => {
    using dir = createTempDir('perdure-storm-');
    const db = dir.file('perdure.db');
    const log = dir.file('executions.log');
    const init = await openStore(`sqlite:${db}`);
    await init.close();
    const startAt = String(Date.now() + 2_500);
    const hosts = Array.from({ length: 4 }, () => spawnHost(['storm', db, '5', '50', startAt, log]));
    const outputs = await Promise.all(hosts.map((h) => h.output));
    const results = outputs.map((o) => JSON.parse(o.split('\n').at(-1)!) as { created: number; conflicts: number });
    assert.equal(
      results.reduce((sum, r) => sum + r.created, 0),
      5,
    );
    assert.equal(
      results.reduce((sum, r) => sum + r.conflicts, 0),
      195,
    );
    const executions = readFileSync(log, 'utf8').trim().split('\n').sort();
    assert.deepEqual(executions, ['storm-0', 'storm-1', 'storm-2', 'storm-3', 'storm-4']);
  });
});
