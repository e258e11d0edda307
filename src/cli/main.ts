#!/usr/bin/env node
/**
 * @module cli/main
 * The `perdure` command's entry point: the package's `bin` (built to
 * `dist/cli/main.js`), and `npm start` in this repository. Commands live in
 * cli/program.
 *
 * What must hold:
 * - The exit code is runCli's (cli/cli-error); a started host keeps the
 *   process alive until a signal (cli/start).
 */
import { runCli } from './program.ts';
import { processIo } from './io.ts';

const code = await runCli(process.argv.slice(2), processIo());
if (code !== 0) process.exit(code);
