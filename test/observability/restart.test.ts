/**
 * One trace across a SIGKILL and a restart: real child processes on one
 * SQLite file, each with an SDK that appends its spans to a file. The spans
 * the second process emits join the trace the first began, under the same
 * orchestration span, and nothing is emitted twice.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';

const script = fileURLToPath(new URL('./fixtures/traced-host.ts', import.meta.url));

interface SpanLine {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly attributes: Record<string, unknown>;
  readonly pid: number;
}

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('tracing across a crash', () => {
  it('keeps one trace ID across SIGKILL and restart, parents the new spans correctly, and emits no span twice', async () => {
    using dir = createTempDir('perdure-trace-crash-');
    const [db, spansFile] = [dir.file('perdure.db'), dir.file('spans.jsonl')];
    const first = run([db, spansFile, 'start']);
    await until(() => first.stdout().includes('HANGING') && first.stdout().includes('TRACE '), 'the first host to hang', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the chain commit step 0 and lease step 1
    first.child.kill('SIGKILL');
    await first.exited;
    const traceId = /TRACE ([0-9a-f]{32})/.exec(first.stdout())![1]!;

    const second = run([db, spansFile, 'resume']);
    assert.equal(await second.exited, 0, second.stderr());
    assert.match(second.stdout(), /DONE Completed \[0,10,20\]/);
    assert.ok(existsSync(spansFile));

    const spans = readFileSync(spansFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SpanLine);
    assert.deepEqual(new Set(spans.map((s) => s.traceId)), new Set([traceId]), 'every span, from both processes, is in the one trace');
    const names = spans.map((s) => `${s.name}#${(s.attributes['durabletask.task.task_id'] as number | undefined) ?? ''}`).sort();
    assert.deepEqual(names, [
      'activity:Step#0',
      'activity:Step#1',
      'activity:Step#2',
      'caller#',
      'create_orchestration:Steps#',
      'orchestration:Steps#',
    ]);

    const byName = (name: string, taskId?: number) =>
      spans.find((s) => s.name === name && (taskId === undefined || s.attributes['durabletask.task.task_id'] === taskId))!;
    const orchestration = byName('orchestration:Steps');
    assert.equal(orchestration.parentSpanId, byName('create_orchestration:Steps').spanId);
    assert.equal(byName('create_orchestration:Steps').parentSpanId, byName('caller').spanId);
    for (const taskId of [0, 1, 2]) assert.equal(byName('activity:Step', taskId).parentSpanId, orchestration.spanId, `step ${taskId}`);
    const pids = new Set(spans.map((s) => s.pid));
    assert.equal(pids.size, 2, 'both processes emitted spans');
    assert.notEqual(byName('activity:Step', 0).pid, orchestration.pid, 'the orchestration span came from the restarted host');
    assert.equal(
      byName('activity:Step', 1).attributes['perdure.activity.attempt'],
      2,
      'the step that was running at the crash ran again, as attempt 2',
    );
  });
});
