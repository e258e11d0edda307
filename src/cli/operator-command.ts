/**
 * @module cli/operator-command
 * What every operator command shares: the target flags (`--url`, `--key`,
 * `--store`), `--json`, opening the target before the command runs and
 * closing it after, and the one-line report of an accepted action.
 */
import type { Command } from 'commander';
import type { CliIo } from './io.ts';
import { printJson } from './output.ts';
import { openTarget, type Target, type TargetFlags } from './target.ts';

export interface CommonFlags extends TargetFlags {
  readonly json?: boolean;
}

/** What a command does, given the opened target, its operands (ID, NAME...) and its flags. */
export type Run<F> = (target: Target, operands: readonly string[], flags: F & CommonFlags) => Promise<void>;

/** Adds the target and output flags, and runs `run` against the opened target, closing it after. */
export function operator<F = object>(command: Command, io: CliIo, run: Run<F>): Command {
  return command
    .option('--url <URL>', 'server to talk to (default http://127.0.0.1:7071)')
    .option('--key <KEY>', 'management key for --url (env PERDURE_KEY)')
    .option('--store <URL>', 'act on a store directly instead (sqlite:<path> or postgres://…)')
    .option('--json', 'print JSON for scripts')
    .action(async (...args: unknown[]) => {
      const operands = args.slice(0, -2) as string[];
      const flags = args[args.length - 2] as F & CommonFlags;
      await using target = await openTarget(flags, io.env);
      await run(target, operands, flags);
    });
}

/** `--json`: the value; otherwise the sentence. */
export function report(io: CliIo, flags: CommonFlags, value: Record<string, unknown>, human: string): void {
  if (flags.json) printJson(io, value);
  else io.stdout.write(`${human}\n`);
}
