/**
 * @module chaos/main
 * `npm run chaos`: reruns the reliability probes against real processes,
 * real files and real disks, and prints one JSON line of figures per probe,
 * then a summary line. Not part of `npm test` (it takes minutes); the fast,
 * deterministic cases of each probe also run there.
 *
 * What must hold: a broken check (a lost instance, a 5xx on bad input, a
 * poison instance that never fails, …) makes the run exit 1 after every
 * probe has run; a missed latency target is reported, never a failure.
 */
import { parseArgs } from 'node:util';
import type { Probe, ProbeResult } from './probe.ts';
import { badInput } from './probes/bad-input.ts';
import { diskFull } from './probes/disk-full.ts';
import { killLoop } from './probes/kill-loop.ts';
import { poison } from './probes/poison.ts';
import { readOnly } from './probes/read-only.ts';
import { runaway } from './probes/runaway.ts';

const PROBES: readonly Probe[] = [killLoop, poison, runaway, badInput, diskFull, readOnly];

const USAGE = `Usage: npm run chaos -- [--probe NAME[,NAME…]]

Probes:
${PROBES.map((p) => `  ${p.name.padEnd(12)} ${p.summary}`).join('\n')}`;

function selected(argv: readonly string[]): readonly Probe[] | undefined {
  const { values } = parseArgs({ args: [...argv], options: { probe: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return undefined;
  if (values.probe === undefined) return PROBES;
  const names = values.probe.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !PROBES.some((p) => p.name === n));
  if (unknown.length > 0) throw new Error(`unknown probe '${unknown[0]}' (known: ${PROBES.map((p) => p.name).join(', ')})`);
  return PROBES.filter((p) => names.includes(p.name));
}

async function runProbe(probe: Probe): Promise<ProbeResult> {
  const started = Date.now();
  process.stderr.write(`chaos: ${probe.name}: ${probe.summary}…\n`);
  try {
    const result = await probe.run();
    return { ...result, figures: { ...result.figures, seconds: (Date.now() - started) / 1000 } };
  } catch (error) {
    return {
      probe: probe.name,
      figures: { error: error instanceof Error ? error.message : String(error) },
      checks: { 'ran to the end': false },
    };
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let probes: readonly Probe[] | undefined;
  try {
    probes = selected(argv);
  } catch (error) {
    console.error(`chaos: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (probes === undefined) {
    console.log(USAGE);
    return 0;
  }
  const results: ProbeResult[] = [];
  for (const probe of probes) {
    const result = await runProbe(probe);
    results.push(result);
    console.log(JSON.stringify(result));
  }
  const broken = results.flatMap((r) =>
    Object.entries(r.checks)
      .filter(([, ok]) => !ok)
      .map(([check]) => `${r.probe}: ${check}`),
  );
  const skippedProbes = results.filter((r) => r.skipped).map((r) => r.probe);
  console.log(JSON.stringify({ summary: { probes: results.length, broken, skipped: skippedProbes } }));
  return broken.length === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
