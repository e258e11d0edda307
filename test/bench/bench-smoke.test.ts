/**
 * Smoke test of the benchmark suite: every workload runs at the `tiny` size
 * through the real CLI (bench/main.ts, as a child process), its correctness
 * checks pass, and its JSON line has the expected fields. Nothing here looks
 * at speed: a slow machine must never fail a test.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DurableClient } from '../../src/index.ts';
import { runHelloBatch } from '../../bench/lib/hello-batch.ts';
import { BenchCheckError, Checks } from '../../bench/lib/workload.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

const MAIN = fileURLToPath(new URL('../../bench/main.ts', import.meta.url));

type Line = Record<string, unknown> & { workload: string; targets: Record<string, boolean>; checks: string[] };

/** The figures each workload's JSON line must carry, besides workload, store, size, targets and checks. */
const FIELDS: Record<string, readonly string[]> = {
  W1: ['instances', 'wallS', 'orchestrationsPerS', 'p50Ms', 'p99Ms'],
  W2: ['width', 'wallS', 'runsS'],
  W2b: ['width', 'wallS', 'runsS'],
  W3: ['starts', 'startsPerS', 'instancesCreated', 'maxExecutionsPerId'],
  W4: ['instances', 'p50Ms', 'p99Ms', 'http'],
  W5: ['iterations', 'iterationsPerS', 'rssBeforeMiB', 'rssAfterMiB', 'storeBeforeMiB', 'storeAfterMiB', 'storeGrowthPct'],
  W6: ['seededInstances', 'emptyStore', 'largeStore', 'slowdownPct', 'listP50Ms', 'listP99Ms'],
  W7: ['instances', 'rounds', 'orchestrationsPerSByHosts'],
  D1: ['seededInstances', 'countsP50Ms', 'apiFirstRenderP50Ms', 'browserFirstRenderP50Ms'],
  W9: ['monitors', 'sessionCacheSize', 'startsPerS', 'asleepStoreMiB', 'asleepRssMiB', 'idleCpuPct', 'latenessP50Ms', 'latenessP99Ms'],
  W10: ['rates', 'kneePerS', 'kneeP99BoundMs'],
  W8: ['signalsOneEntity', 'oneEntityOpsPerS', 'entities', 'manyEntitiesOpsPerS', 'calls', 'callsPerS'],
};

async function runBench(args: string[]): Promise<{ code: number | null; lines: Line[]; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--size', 'tiny', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lines = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
  return { code, lines, stdout, stderr };
}

function assertLine(line: Line, store: string): void {
  assert.equal(line.store, store);
  assert.equal(line.size, 'tiny');
  for (const field of FIELDS[line.workload] ?? assert.fail(`unexpected workload ${line.workload}`)) {
    assert.ok(field in line, `${line.workload} lacks '${field}'`);
  }
  assert.ok(line.checks.length > 0, `${line.workload} reports no checks`);
  assert.equal(typeof line.targets, 'object');
}

function assertRecord(outDir: string, store: string, workloads: readonly string[]): void {
  const record = JSON.parse(readFileSync(`${outDir}/latest.json`, 'utf8'));
  assert.equal(record.machine.store, store);
  for (const key of ['cpuModel', 'cores', 'memoryGiB', 'node']) assert.ok(key in record.machine, `machine lacks ${key}`);
  if (store === 'sqlite') assert.equal(record.machine.sqliteSynchronous, 'full');
  assert.deepEqual(record.failures, []);
  assert.deepEqual(
    record.results.map((r: Line) => r.workload),
    workloads,
  );
  const markdown = readFileSync(`${outDir}/latest.md`, 'utf8');
  for (const id of workloads) assert.match(markdown, new RegExp(`\\| ${id} `));
}

describe('bench smoke (tiny sizes, correctness only)', () => {
  it('runs W1–W6, W8–W10 and D1 on SQLite with every check passing', { timeout: 240_000 }, async () => {
    using dir = createTempDir('perdure-bench-smoke-');
    const run = await runBench(['--out', dir.path]);
    assert.equal(run.code, 0, `bench failed:\n${run.stdout}\n${run.stderr.slice(-4000)}`);
    const ids = ['W1', 'W2', 'W2b', 'W3', 'W4', 'W5', 'W6', 'W8', 'W9', 'W10', 'D1'];
    assert.deepEqual(
      run.lines.map((l) => l.workload),
      ids,
    );
    for (const line of run.lines) assertLine(line, 'sqlite');
    const w3 = run.lines.find((l) => l.workload === 'W3')!;
    assert.equal(w3.instancesCreated, 20);
    assert.equal(w3.maxExecutionsPerId, 1);
    const w4 = run.lines.find((l) => l.workload === 'W4')!;
    assert.equal(typeof w4.http, 'object', `W4 over HTTP did not run: ${String(w4.http)}`);
    const w9 = run.lines.find((l) => l.workload === 'W9')!;
    assert.ok((w9.sessionCacheSize as number) < (w9.monitors as number), 'W9 runs with a session cache smaller than the monitor count');
    assert.equal((run.lines.find((l) => l.workload === 'W10')!.rates as unknown[]).length, 2);
    assertRecord(dir.path, 'sqlite', ids);
  });

  it('runs W1–W10 and D1 on PostgreSQL with every check passing', { timeout: 300_000 }, async () => {
    using dir = createTempDir('perdure-bench-smoke-pg-');
    const run = await runBench(['--store', 'postgres', '--out', dir.path]);
    assert.equal(run.code, 0, `bench failed:\n${run.stdout}\n${run.stderr.slice(-4000)}`);
    const ids = ['W1', 'W2', 'W2b', 'W3', 'W4', 'W5', 'W6', 'W7', 'W8', 'W9', 'W10', 'D1'];
    assert.deepEqual(
      run.lines.map((l) => l.workload),
      ids,
    );
    for (const line of run.lines) assertLine(line, 'postgres');
    const w7 = run.lines.find((l) => l.workload === 'W7')!;
    assert.equal((w7.rounds as unknown[]).length, 3);
    assert.equal(run.lines.find((l) => l.workload === 'W9')!.hosts, 2);
    assertRecord(dir.path, 'postgres', ids);
  });

  it('refuses W7 on SQLite with a usage error', async () => {
    const run = await runBench(['--workload', 'W7']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /W7 runs on postgres only/);
  });

  it('fails a batch whose outputs are wrong, naming the instance', async () => {
    const wrongClient = {
      startNew: async () => ({}),
      waitForCompletion: async (id: string) => ({ runtimeStatus: 'Completed', output: id === 'x-3' ? ['nope'] : undefined }),
    } as unknown as DurableClient;
    const checks = new Checks('W1');
    await assert.rejects(runHelloBatch(wrongClient, { prefix: 'x', count: 5, checks }), (error: Error) => {
      assert.ok(error instanceof BenchCheckError);
      assert.match(error.message, /W1: check failed: x: 5 HelloSequence outputs are correct \(x-0:/);
      return true;
    });
  });
});
