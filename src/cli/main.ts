#!/usr/bin/env node
/**
 * @module cli/main
 * The `perdure` command's entry point: the package's `bin` (built to
 * `dist/cli/main.js`), and `npm start` in this repository.
 *
 * What must hold:
 * - Usage and configuration mistakes print one clear message on stderr and
 *   exit with code 2, never a stack trace; other startup failures exit 1.
 */
import { ConfigurationError } from '../model/errors.ts';
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
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
    console.error(`perdure: cannot listen: ${(error as Error).message}`);
    process.exit(1);
  }
  console.error('perdure: failed to start:', error);
  process.exit(1);
});
