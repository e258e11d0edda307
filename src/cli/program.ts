/**
 * @module cli/program
 * The `perdure` command line, parsed by commander: `start`, `instance …`,
 * `purge` and `schedule …`. `runCli` runs one invocation and returns its exit code; it never
 * exits the process, so tests run it in-process.
 *
 * What must hold:
 * - Every failure is one line on stderr, `perdure: <message>`, with the exit
 *   code of cli/cli-error (2 for any mistake in the command line, with a
 *   pointer to --help); never a stack, except for a start failure nobody
 *   foresaw.
 * - `--help` on any command lists all of its flags and exits 0.
 */
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode, exitCodeOf } from './cli-error.ts';
import { addInstanceCommands } from './instance-commands.ts';
import { addPurgeCommand } from './purge-command.ts';
import { addScheduleCommands } from './schedule-commands.ts';
import type { CliIo } from './io.ts';
import { addStartCommand } from './start-command.ts';

const EXIT_CODES_HELP = `
Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 conflict (a singleton
already live, a schedule name taken, or a status that does not allow the operation).
Docs: docs/cli.md`;

export function createProgram(io: CliIo): Command {
  const program = new Command('perdure')
    .description('Durable orchestrations for TypeScript: run a host, and operate its instances.')
    .addHelpText('after', EXIT_CODES_HELP)
    .showSuggestionAfterError(true);
  addStartCommand(program);
  addInstanceCommands(program, io);
  addPurgeCommand(program, io);
  addScheduleCommands(program, io);
  configure(program, io);
  return program;
}

/** Output to `io`, errors thrown instead of exiting, on every command. */
function configure(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {}, // printed by runCli, in the CLI's own format
    })
    .helpCommand(false);
  for (const sub of command.commands) configure(sub, io);
}

/** Runs `perdure <argv>`; resolves to the exit code (a `start` resolves once it is serving). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const program = createProgram(io);
  try {
    if (argv.length === 0) throw new CliError('Missing command (perdure --help lists them).');
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    const code = exitCodeOf(error);
    if (error instanceof CommanderError && code === ExitCode.Ok) return code; // --help, --version
    io.stderr.write(`perdure: ${messageOf(error)}\n`);
    return code;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.help') return 'Missing command (listed above).';
    const text = error.message.replace(/^error: /, '');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)} (see --help)`;
  }
  return error instanceof Error ? error.message : String(error);
}
