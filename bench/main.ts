/**
 * @module bench/main
 * `npm run bench`: runs the workloads, prints one JSON line of figures per
 * workload on stdout, writes latest.json and latest.md, and ends with a
 * summary. Progress goes to stderr.
 *
 * What must hold: a workload whose output is wrong (or that crashes) makes
 * the run exit non-zero with its message, after the other workloads have
 * run; a missed speed target never does.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo } from './lib/machine.ts';
import { registerNoopOpenTelemetry } from './lib/otel.ts';
import { DEFAULT_POSTGRES_URL, postgresAvailability } from './lib/postgres.ts';
import { renderMarkdown, workloadLine, writeRecord, type RunRecord } from './lib/report.ts';
import { SIZES, type Size, type StoreKind, type Synchronous, type Workload, type WorkloadContext } from './lib/workload.ts';
import { WORKLOADS } from './workloads/index.ts';

const USAGE = `Usage: npm run bench -- [options]

  --workload W     W1, W2, W2b, W3, W4, W5, W6, W7, W8, W9, W10, D1, a comma-separated list, or all (default)
  --store S        sqlite (default) or postgres (W7 needs postgres)
  --size S         full (default: the issue's sizes, a few minutes on SQLite), small (a quick look),
                   tiny (the smoke test's sizes)
  --synchronous S  SQLite synchronous pragma: full (default), normal or off
  --postgres-url U base PostgreSQL URL; each run gets a fresh schema (env PERDURE_BENCH_POSTGRES_URL,
                   default ${DEFAULT_POSTGRES_URL})
  --out DIR        where latest.json and latest.md go (default bench/results)
  (env PERDURE_BENCH_CPU_PROF=DIR: W10's server runs with --cpu-prof, profiles written to DIR)
  --otel           register an OpenTelemetry SDK (batched spans, periodic metrics) whose exporters drop
                   everything: what Perdure's spans and metrics cost in process (W4's HTTP server has none)
  -h, --help`;

interface BenchArgs {
  readonly workloads: readonly Workload[];
  readonly skipped: readonly { workload: string; reason: string }[];
  readonly store: StoreKind;
  readonly size: Size;
  readonly synchronous: Synchronous;
  readonly postgresUrl: string;
  readonly out: string;
  readonly otel: boolean;
}

class UsageError extends Error {}

function parse(argv: readonly string[]): BenchArgs | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      workload: { type: 'string', default: 'all' },
      store: { type: 'string', default: 'sqlite' },
      size: { type: 'string', default: 'full' },
      synchronous: { type: 'string', default: 'full' },
      'postgres-url': { type: 'string', default: DEFAULT_POSTGRES_URL },
      out: { type: 'string', default: 'bench/results' },
      otel: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const store = oneOf(values.store, ['sqlite', 'postgres'] as const, '--store');
  const size = oneOf(values.size, SIZES, '--size');
  const synchronous = oneOf(values.synchronous, ['full', 'normal', 'off'] as const, '--synchronous');
  const { workloads, skipped } = selectWorkloads(values.workload, store);
  return { workloads, skipped, store, size, synchronous, postgresUrl: values['postgres-url'], out: resolve(values.out), otel: values.otel };
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

function selectWorkloads(spec: string, store: StoreKind) {
  if (spec.toLowerCase() === 'all') {
    return {
      workloads: WORKLOADS.filter((w) => w.stores.includes(store)),
      skipped: WORKLOADS.filter((w) => !w.stores.includes(store)).map((w) => ({ workload: w.id, reason: `${w.stores.join('/')} only` })),
    };
  }
  const workloads = spec.split(',').map((id) => {
    const workload = WORKLOADS.find((w) => w.id.toLowerCase() === id.trim().toLowerCase());
    if (!workload) throw new UsageError(`unknown workload '${id}' (use ${WORKLOADS.map((w) => w.id).join(', ')} or all)`);
    if (!workload.stores.includes(store))
      throw new UsageError(`${workload.id} runs on ${workload.stores.join('/')} only: add --store ${workload.stores[0]}`);
    return workload;
  });
  return { workloads, skipped: [] };
}

async function main(argv: readonly string[]): Promise<number> {
  let args: BenchArgs | 'help';
  try {
    args = parse(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (args.store === 'postgres') {
    const available = await postgresAvailability(args.postgresUrl);
    if (!available.ok) {
      console.error(`bench: ${available.reason}`);
      return 2;
    }
  }
  if (args.otel) registerNoopOpenTelemetry(process.env['PERDURE_BENCH_OTEL']?.split(','));
  const machine = machineInfo(args.store, args.synchronous);
  const context: WorkloadContext = {
    store: args.store,
    size: args.size,
    synchronous: args.synchronous,
    postgresUrl: args.postgresUrl,
    log: (message) => console.error(`[bench] ${message}`),
  };
  console.error(
    `[bench] ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}; store ${args.store}, size ${args.size}${args.otel ? '; OpenTelemetry SDK, no-op exporters' : ''}`,
  );
  const results: RunRecord['results'][number][] = [];
  const failures: RunRecord['failures'][number][] = [];
  for (const workload of args.workloads) {
    try {
      const result = await workload.run(context);
      const line = workloadLine(workload.id, args.store, args.size, result);
      console.log(JSON.stringify(line));
      results.push({ line, title: workload.title, result });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      console.error(`[bench] ${workload.id} FAILED: ${(error as Error).stack ?? message}`);
      failures.push({ workload: workload.id, error: message });
    }
  }
  const record: RunRecord = {
    generatedAt: new Date().toISOString(),
    machine,
    settings: { store: args.store, size: args.size, ...(args.store === 'sqlite' ? { synchronous: args.synchronous } : {}) },
    results,
    skipped: args.skipped,
    failures,
  };
  const written = writeRecord(args.out, record);
  console.log(`\n${renderMarkdown(record)}`);
  console.log(`Wrote ${written.json} and ${written.markdown}.`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} workload(s) FAILED: ${failures.map((f) => `${f.workload}: ${f.error}`).join('; ')}`);
    return 1;
  }
  console.log(`\nAll ${results.length} workload(s) passed their checks.`);
  return 0;
}

// Exit explicitly: a pool or a child pipe left open must not keep a finished run alive.
// Flush stdout first: on some platforms a pipe is written asynchronously and exit would cut it.
const code = await main(process.argv.slice(2));
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
