/**
 * @module test/scale-out/scale-helpers
 * What the scale-out tests share: host processes (fixtures/pg-host.ts) and
 * their logs, waiting on the shared database, and the checks that prove a
 * run was clean:
 *
 * - `expectExactHistory`: the history is exactly the expected sequence of
 *   events (types, task IDs, names, inputs, results), so nothing is
 *   duplicated, missing or out of order.
 * - `attributeCommits`: every history event was appended by exactly one
 *   successful commit, of one host, under one lease token; no two commits
 *   share a token, and no successful commit is missing from the history.
 *
 * Deadlines are generous and nothing is timed: a slow machine only makes a
 * test slower.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HistoryEvent } from '../../src/index.ts';
import { adminQuery } from '../helpers/postgres.ts';
import type { HostProcessConfig } from './fixtures/pg-host.ts';
import { CITIES, type LogLine } from './fixtures/scale-app.ts';

const HOST_SCRIPT = fileURLToPath(new URL('./fixtures/pg-host.ts', import.meta.url));

export interface HostProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly lines: readonly string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  send(line: string): void;
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Asks the host to stop (finishing its turns), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

export function spawnHost(name: string, config: HostProcessConfig): HostProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST_SCRIPT, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  child.stdin.on('error', () => {});
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  const waitForLine = async (test: (line: string) => boolean, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find(test);
      if (found !== undefined) return found;
      if (done) throw new Error(`host ${name} exited before the expected line; stderr: ${stderr.slice(-2_000)}`);
      if (Date.now() > deadline) throw new Error(`host ${name}: no expected line after ${timeoutMs} ms; stderr: ${stderr.slice(-2_000)}`);
      await sleep(20);
    }
  };
  const kill = async () => {
    if (!done) child.kill('SIGKILL');
    await exited;
  };
  const stop = async (graceMs = 60_000) => {
    if (done) return;
    child.stdin.write('stop\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const send = (line: string) => void child.stdin.write(`${line}\n`);
  return { name, child, logFile: config.logFile, lines, exited, stderr: () => stderr, send, waitForLine, stop, kill };
}

/** A host's log lines; a last line cut short by SIGKILL is ignored. */
export function readLog(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it holds; errors (a database restarting) count as "not yet". */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await sleep(50);
  }
}

/** Instances per runtime status in a schema. */
export async function statusCounts(schema: string): Promise<Record<string, number>> {
  const rows = await adminQuery<{ runtime_status: string; n: number }>(
    'SELECT runtime_status, count(*)::int AS n FROM instances GROUP BY runtime_status',
    [],
    schema,
  );
  return Object.fromEntries(rows.map((row) => [row.runtime_status, row.n]));
}

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]!);
      }
    }),
  );
  return results;
}

/** An event without its timestamp: what replay depends on. */
type Shape = Record<string, unknown>;

function shape(event: HistoryEvent): Shape {
  const { timestamp: _timestamp, ...rest } = event as HistoryEvent & { executionId?: string };
  // The execution ID is random per start; the test checks it elsewhere when it matters.
  if (rest.type === 'ExecutionStarted') delete (rest as { executionId?: string }).executionId;
  return rest;
}

const started = (name: string, input: unknown): Shape => ({ type: 'ExecutionStarted', name, input });
const turn: Shape = { type: 'OrchestratorStarted' };
const scheduled = (taskId: number, input: string): Shape => ({ type: 'TaskScheduled', taskId, name: 'SayHello', input });
const completed = (taskId: number, input: string): Shape => ({ type: 'TaskCompleted', taskId, result: `Hello ${input}!` });
const ended = (result: unknown): Shape => ({ type: 'ExecutionCompleted', status: 'Completed', result });

/** HelloSequence(n): one turn per message, each activity scheduled once and completed once, in order. */
export function helloHistory(n: number): Shape[] {
  const inputs = CITIES.map((city) => `${city} ${n}`);
  return [
    turn,
    started('HelloSequence', n),
    scheduled(0, inputs[0]!),
    turn,
    completed(0, inputs[0]!),
    scheduled(1, inputs[1]!),
    turn,
    completed(1, inputs[1]!),
    scheduled(2, inputs[2]!),
    turn,
    completed(2, inputs[2]!),
    ended(inputs.map((input) => `Hello ${input}!`)),
  ];
}

/** Sleeper({ n, timerMs }): a timer, then one activity. */
export function sleeperHistory(n: number, timerMs: number, fireAt: string): Shape[] {
  const input = `Sleeper ${n}`;
  return [
    turn,
    started('Sleeper', { n, timerMs }),
    { type: 'TimerCreated', taskId: 0, fireAt },
    turn,
    { type: 'TimerFired', taskId: 0, fireAt },
    scheduled(1, input),
    turn,
    completed(1, input),
    ended(`Hello ${input}!`),
  ];
}

/** Singleton({ timerMs }): a timer, then it returns its instance ID. */
export function singletonHistory(instanceId: string, timerMs: number, fireAt: string): Shape[] {
  return [
    turn,
    started('Singleton', { timerMs }),
    { type: 'TimerCreated', taskId: 0, fireAt },
    turn,
    { type: 'TimerFired', taskId: 0, fireAt },
    ended(instanceId),
  ];
}

export function expectExactHistory(instanceId: string, history: readonly HistoryEvent[], expected: readonly Shape[]): void {
  assert.deepEqual(history.map(shape), expected, `history of ${instanceId} is not exactly the expected sequence`);
}

/** The fireAt of an instance's only timer (it depends on the turn time, so it is read, then checked for consistency). */
export function timerFireAt(history: readonly HistoryEvent[]): string {
  const created = history.find((e) => e.type === 'TimerCreated') as { fireAt: string } | undefined;
  return created?.fireAt ?? '(no TimerCreated)';
}

/** Every host's commit log lines, by instance ID. */
export interface CommitLog {
  /** host → instance ID → lease token → commit */
  readonly byInstance: Map<string, { host: string; leaseToken: number; events: string; state: 'ok' | 'lost' | 'unknown' }[]>;
}

export function collectCommits(logs: ReadonlyMap<string, readonly LogLine[]>): CommitLog {
  const byInstance: CommitLog['byInstance'] = new Map();
  for (const [host, lines] of logs) {
    const pending = new Map<string, { instanceId: string; leaseToken: number; events: string; state: 'ok' | 'lost' | 'unknown' }>();
    for (const line of lines) {
      if (line.kind !== 'commit') continue;
      const key = `${line.instanceId}\u0000${line.leaseToken}`;
      if (line.state === 'pending') {
        assert.ok(!pending.has(key), `host ${host} committed ${line.instanceId} twice under lease token ${line.leaseToken}`);
        pending.set(key, { instanceId: line.instanceId, leaseToken: line.leaseToken, events: line.events, state: 'unknown' });
      } else {
        const commit = pending.get(key);
        assert.ok(commit, `host ${host}: a commit result without its commit (${line.instanceId}, token ${line.leaseToken})`);
        commit.state = line.state;
      }
    }
    for (const commit of pending.values()) {
      const list = byInstance.get(commit.instanceId) ?? [];
      list.push({ host, ...commit });
      byInstance.set(commit.instanceId, list);
    }
  }
  return { byInstance };
}

/**
 * Proves that each chunk of the instance's history was appended by exactly
 * one successful commit, and names its host. Commits are taken in lease
 * token order (a claim always raises the token): each successful one must
 * append exactly the next events of the history; one whose answer never
 * came (`unknown`) may have happened, and counts if it matches. Returns the
 * number of chunks each host committed.
 */
export function attributeCommits(instanceId: string, history: readonly HistoryEvent[], log: CommitLog): Map<string, number> {
  const commits = [...(log.byInstance.get(instanceId) ?? [])].filter((c) => c.state !== 'lost').sort((a, b) => a.leaseToken - b.leaseToken);
  const tokens = commits.map((c) => c.leaseToken);
  assert.equal(
    new Set(tokens).size,
    tokens.length,
    `${instanceId}: two commits under one lease token: ${JSON.stringify(commits.map((c) => [c.host, c.leaseToken, c.state]))}`,
  );
  const byHost = new Map<string, number>();
  let position = 0;
  for (const commit of commits) {
    const events = JSON.parse(commit.events) as unknown[];
    const matches = JSON.stringify(history.slice(position, position + events.length)) === commit.events;
    if (!matches) {
      assert.equal(
        commit.state,
        'unknown',
        `${instanceId}: host ${commit.host}'s successful commit (token ${commit.leaseToken}) is not the next part of the history at event ${position}`,
      );
      continue;
    }
    position += events.length;
    byHost.set(commit.host, (byHost.get(commit.host) ?? 0) + 1);
  }
  assert.equal(position, history.length, `${instanceId}: events ${position}..${history.length} were not appended by any logged commit`);
  return byHost;
}
