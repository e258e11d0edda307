/**
 * @module cli/io
 * Where a command writes, and whether it may decorate what it writes:
 * colour only when stdout is a terminal (and NO_COLOR is unset), progress
 * bars only when stderr is one. Commands never touch `process` directly, so
 * they run the same in the binary and in tests.
 */
import { styleText } from 'node:util';

export interface CliStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

type Style = Parameters<typeof styleText>[0];

/** Styles text for stdout when colour is on; plain text otherwise. */
export function painter(io: CliIo): (style: Style, text: string) => string {
  const color = io.stdout.isTTY === true && io.env['NO_COLOR'] === undefined;
  // The decision is ours (the stream may be a test's); styleText would otherwise check process.stdout.
  return (style, text) => (color ? styleText(style, text, { validateStream: false }) : text);
}
