/**
 * @module bench/lib/report
 * The run's record: the JSON line each workload prints, `latest.json`
 * (everything, with the machine), and `latest.md`, a table that
 * docs/benchmarks.md can paste.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine.ts';
import type { Size, StoreKind, Synchronous, WorkloadResult } from './workload.ts';

export interface WorkloadLine {
  readonly workload: string;
  readonly store: StoreKind;
  readonly size: Size;
  readonly [figure: string]: unknown;
}

export interface RunRecord {
  readonly generatedAt: string;
  readonly machine: MachineInfo;
  readonly settings: { readonly store: StoreKind; readonly size: Size; readonly synchronous?: Synchronous };
  readonly results: readonly { readonly line: WorkloadLine; readonly title: string; readonly result: WorkloadResult }[];
  readonly skipped: readonly { readonly workload: string; readonly reason: string }[];
  readonly failures: readonly { readonly workload: string; readonly error: string }[];
}

export function workloadLine(id: string, store: StoreKind, size: Size, result: WorkloadResult): WorkloadLine {
  return { workload: id, store, size, ...result.figures, targets: result.targets, checks: result.checks };
}

export function writeRecord(outDir: string, record: RunRecord): { json: string; markdown: string } {
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, 'latest.json');
  const markdown = join(outDir, 'latest.md');
  const { results, ...rest } = record;
  writeFileSync(json, `${JSON.stringify({ ...rest, results: results.map((r) => r.line) }, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdown(record));
  return { json, markdown };
}

export function renderMarkdown(record: RunRecord): string {
  const m = record.machine;
  const sqlite = m.sqliteSynchronous ? `SQLite WAL, synchronous=${m.sqliteSynchronous.toUpperCase()}` : 'PostgreSQL';
  const lines = [
    `Measured ${record.generatedAt.slice(0, 10)} on ${m.cpuModel} (${m.cores} cores, ${m.memoryGiB} GiB), ` +
      `Node ${m.node}, ${sqlite}, size \`${record.settings.size}\`.`,
    '',
    '| Workload | Store | Result | Targets |',
    '| --- | --- | --- | --- |',
    ...record.results.map(
      ({ line, title, result }) => `| ${line.workload} ${title} | ${line.store} | ${result.headline} | ${targetsText(result.targets)} |`,
    ),
    ...record.failures.map((f) => `| ${f.workload} | ${record.settings.store} | **FAILED**: ${f.error.replaceAll('|', '\\|')} | |`),
    ...record.skipped.map((s) => `| ${s.workload} | ${record.settings.store} | skipped: ${s.reason} | |`),
  ];
  return `${lines.join('\n')}\n`;
}

function targetsText(targets: Record<string, boolean>): string {
  return Object.entries(targets)
    .map(([target, met]) => `${met ? 'met' : '**not met**'}: ${target}`)
    .join('<br>');
}
