/**
 * @module cli/output
 * How operator commands print: JSON for scripts (`--json`), plain tables and
 * fields for people, coloured only on a terminal (cli/io).
 *
 * What must hold:
 * - `--json` output is exactly the target's data (Durable Functions'
 *   shapes), one JSON document, nothing else on stdout.
 * - Human output never hides a failure: a Failed instance shows its error.
 */
import type { RuntimeStatus } from '../model/runtime-status.ts';
import { painter, type CliIo } from './io.ts';
import type { StatusBody } from './target.ts';

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

type Paint = ReturnType<typeof painter>;

const STATUS_STYLE: Record<RuntimeStatus, Parameters<Paint>[0]> = {
  Pending: 'yellow',
  Running: 'cyan',
  Suspended: 'yellow',
  ContinuedAsNew: 'cyan',
  Completed: 'green',
  Failed: 'red',
  Terminated: 'gray',
};

export function paintStatus(paint: Paint, status: RuntimeStatus): string {
  return paint(STATUS_STYLE[status] ?? 'reset', status);
}

/** Columns padded to their widest cell; `paintCell` styles a cell after padding, so colour codes never skew widths. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  paint: Paint,
  paintCell?: (column: number, text: string) => string,
): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[], style: (column: number, text: string) => string) =>
    cells
      .map((cell, column) => style(column, column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers, (_, text) => paint('bold', text)), ...rows.map((row) => line(row, paintCell ?? ((_, text) => text)))].join('\n');
}

export function printInstanceTable(io: CliIo, instances: readonly StatusBody[]): void {
  const paint = painter(io);
  if (instances.length === 0) {
    io.stdout.write('No instances.\n');
    return;
  }
  const rows = instances.map((s) => [s.instanceId, s.name, s.runtimeStatus, s.createdTime, s.lastUpdatedTime]);
  const table = formatTable(['INSTANCE ID', 'NAME', 'STATUS', 'CREATED', 'UPDATED'], rows, paint, (column, text) =>
    column === 2 ? paint(STATUS_STYLE[text.trim() as RuntimeStatus] ?? 'reset', text) : text,
  );
  io.stdout.write(`${table}\n`);
}

export function printStatus(io: CliIo, status: StatusBody): void {
  const paint = painter(io);
  const failure = status['failureDetails'] as { name?: string; message?: string; stack?: string } | undefined;
  const fields: [string, string][] = [
    ['Instance', status.instanceId],
    ['Name', status.name],
    ['Status', paintStatus(paint, status.runtimeStatus)],
    ['Created', status.createdTime],
    ['Updated', status.lastUpdatedTime],
    ['Input', compact(status['input'])],
    ['Output', compact(status['output'])],
    ['Custom status', compact(status['customStatus'])],
  ];
  if (failure) fields.push(['Failure', paint('red', `${failure.name ?? 'Error'}: ${failure.message ?? ''}`)]);
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  io.stdout.write(fields.map(([label, value]) => `${paint('bold', `${label}:`.padEnd(width))} ${value}`).join('\n') + '\n');
  if (failure?.stack) io.stdout.write(`${paint('dim', failure.stack)}\n`);
  const history = status['historyEvents'] as readonly Record<string, unknown>[] | undefined;
  if (history) io.stdout.write(`\n${historyTable(history, paint)}\n`);
}

function historyTable(history: readonly Record<string, unknown>[], paint: Paint): string {
  const rows = history.map((event) => [
    text(event['Timestamp']),
    text(event['EventType']),
    text(event['FunctionName'] ?? event['Name']),
    detail(event),
  ]);
  return formatTable(['TIME', 'EVENT', 'NAME', 'DETAIL'], rows, paint);
}

/** The one thing worth seeing of an event: its result, failure, reason or due time. */
function detail(event: Record<string, unknown>): string {
  if (event['FailureDetails']) return `failed: ${text((event['FailureDetails'] as { ErrorMessage?: unknown }).ErrorMessage)}`;
  if ('Result' in event) return `result ${compact(event['Result'])}`;
  if (event['Reason'] !== undefined && event['Reason'] !== null) return `reason ${text(event['Reason'])}`;
  if (event['FireAt'] !== undefined) return `fires ${text(event['FireAt'])}`;
  if (event['Input'] !== undefined && event['Input'] !== null) return `input ${text(event['Input'])}`;
  return '';
}

/** A history field as text: strings as they are, anything else as compact JSON. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : compact(value);
}

/** A value on one line, cut short: the whole of it is in `--json`. */
function compact(value: unknown, max = 120): string {
  if (value === undefined || value === null) return '-';
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
