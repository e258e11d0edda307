/**
 * @module test/helpers/server-process
 * Runs the real `perdure` command (src/cli/main.ts, with tsx as the loader) as a child process on a
 * free port, the way a user would, and tears it down on dispose:
 * `await using server = await startServer({ store })`.
 *
 * The server is started with `--port 0` and the URL is read from its
 * "Listening on" line, so tests never race each other for a port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SOURCE_NODE_ARGS, sourceNodeEnv } from './source-node.ts';

const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const EXAMPLE_APP = fileURLToPath(new URL('../../examples/app.ts', import.meta.url));

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerProcess extends AsyncDisposable {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  stderr(): string;
  /** Sends the signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

export interface StartServerOptions {
  readonly store?: string;
  /** Defaults to examples/app.ts. */
  readonly app?: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly startupTimeoutMs?: number;
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  output(): string;
  stderr(): string;
}

/** Spawns `perdure <args>` with a clean environment (no PERDURE_* or PORT from the caller). */
export function spawnCli(args: readonly string[], env: Readonly<Record<string, string>> = {}, cwd?: string): Spawned {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PERDURE_') && k !== 'PORT'));
  const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, CLI_MAIN, ...args], {
    env: sourceNodeEnv({ ...base, ...env }),
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (all += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    all += chunk.toString();
    err += chunk.toString();
  });
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => all, stderr: () => err };
}

export async function startServer(options: StartServerOptions = {}): Promise<ServerProcess> {
  const args = [
    'start',
    options.app ?? EXAMPLE_APP,
    '--port',
    '0',
    ...(options.store ? ['--store', options.store] : []),
    ...(options.args ?? []),
  ];
  const spawned = spawnCli(args, options.env, options.cwd);
  const url = await waitForListening(spawned, options.startupTimeoutMs ?? 30_000);
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill(signal);
    return spawned.exited;
  };
  return { ...spawned, url, stop, [Symbol.asyncDispose]: async () => void (await stop('SIGKILL')) };
}

async function waitForListening(spawned: Spawned, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void spawned.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    const match = /Listening on (http:\/\/\S+)/.exec(spawned.output());
    if (match?.[1]) return match[1];
    if (exited) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  spawned.child.kill('SIGKILL');
  throw new Error(`server did not start${exited ? ' (it exited)' : ` within ${timeoutMs} ms`}:\n${spawned.output()}`);
}
