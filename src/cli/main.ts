#!/usr/bin/env node
/**
 * @module cli/main
 * The `perdure` command's entry point: the package's `bin` (built to
 * `dist/cli/main.js`), and `npm start` in this repository.
 *
 * What must hold:
 * - Usage and configuration mistakes print one clear message on stderr and
 *   exit with code 2, never a stack trace; other startup failures exit 1.
 * - A store that cannot be opened or written (missing, empty, corrupt,
 *   read-only, full, unreachable) prints one line naming it and the cause, exit 1.
 */
import { ConfigurationError, SchemaVersionError, StoreUnavailableError } from '../model/errors.ts';
import { CliError, parseCliArgs, USAGE } from './args.ts';
import { start } from './start.ts';

async function main(argv: readonly string[]): Promise<void> {
  const args = parseCliArgs(argv);
  if (args.command === 'help') {
    console.log(USAGE);
    return;
  }
  await start(args);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CliError || error instanceof ConfigurationError) {
    console.error(`perdure: ${error.message}`);
    process.exit(2);
  }
  if (error instanceof StoreUnavailableError || error instanceof SchemaVersionError) {
    // The message names the file (or the redacted URL) and the cause; the stack would only bury it.
    console.error(`perdure: ${error.message}`);
    process.exit(1);
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
    console.error(`perdure: cannot listen: ${(error as Error).message}`);
    process.exit(1);
  }
  console.error('perdure: failed to start:', error);
  process.exit(1);
});
