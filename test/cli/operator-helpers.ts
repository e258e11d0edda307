/**
 * @module test/cli/operator-helpers
 * Runs operator commands in-process through runCli (the same code as the
 * binary, minus process start-up), capturing stdout and stderr, and polls
 * an instance through the CLI itself.
 */
import { runCli } from '../../src/cli/program.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json(): any;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  /** Pretend stdout/stderr are terminals (colour, progress bar). */
  readonly tty?: boolean;
}

export async function cli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const tty = options.tty === true;
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: tty },
    stderr: { write: (text: string) => (stderr += text), isTTY: tty },
    env: options.env ?? {},
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** Polls `instance show` until `done` holds (generous deadline: slow machines make tests slower, not red). */
export async function showUntil(target: readonly string[], id: string, done: (status: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await cli(['instance', 'show', id, '--json', ...target]);
    const status = run.code === 0 ? run.json() : undefined;
    if (status && done(status)) return status;
    if (Date.now() > deadline) throw new Error(`instance ${id} never matched; last: ${run.stdout}${run.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
