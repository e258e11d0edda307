/**
 * @module bench/lib/processes
 * Child processes for the workloads that need real OS processes (W4 over
 * HTTP, W7 hosts): spawning a TypeScript entry point under tsx, watching
 * its output lines, picking a free port, and stopping it.
 *
 * What must hold: a child never outlives the bench. `stop()` asks politely,
 * then kills, and every spawned child is killed when this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** tsx's loader as a file URL, so a child started in another directory still finds it. */
const TSX_LOADER = import.meta.resolve('tsx');

export interface ChildRun {
  readonly child: ChildProcess;
  readonly lines: readonly string[];
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Waits for an output line matching `test`; rejects if the process exits first or time runs out. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number): Promise<string>;
  send(text: string): void;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** `nodeArgs` go before the script, e.g. `--cpu-prof` to profile the child. */
export function spawnTs(script: string, args: readonly string[], options: { cwd?: string; nodeArgs?: readonly string[] } = {}): ChildRun {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', TSX_LOADER, script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  running.add(child);
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  child.stdin.on('error', () => {});
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      if (partial) lines.push(partial);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  let exitCode: number | string | undefined;
  void exited.then((code) => (exitCode = code));

  const waitForLine = async (test: (line: string) => boolean, timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find(test);
      if (found !== undefined) return found;
      if (exitCode !== undefined) throw new Error(`process exited (${exitCode}) before it was ready: ${lastLine(stderr)}`);
      if (Date.now() > deadline) throw new Error(`process not ready after ${timeoutMs} ms: ${lastLine(stderr)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async (graceMs = 15_000): Promise<number | string> => {
    if (exitCode !== undefined) return exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return { child, lines, stderr: () => stderr, exited, waitForLine, send: (text) => void child.stdin.write(text), stop };
}

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function lastLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '');
  return lines.at(-1)?.trim() ?? '(no output)';
}
