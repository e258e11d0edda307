/**
 * @module bench/lib/workload
 * The shape every workload shares: what it is given (store kind, size, a
 * logger for progress) and what it hands back (figures, the targets it was
 * measured against, and the correctness checks that passed).
 *
 * What must hold: a workload whose output is wrong throws BenchCheckError,
 * so a fast but wrong engine never produces a figure. A missed speed target
 * is reported, never thrown: targets are goals, checks are correctness.
 */
export type StoreKind = 'sqlite' | 'postgres';
/** `tiny` is for the smoke test, `small` a quick look (under a minute), `full` the issue's sizes (the default). */
export type Size = 'tiny' | 'small' | 'full';
export type Synchronous = 'full' | 'normal' | 'off';

export const SIZES: readonly Size[] = ['tiny', 'small', 'full'];

export interface WorkloadContext {
  readonly store: StoreKind;
  readonly size: Size;
  /** SQLite `synchronous` pragma for stores the bench opens itself. */
  readonly synchronous: Synchronous;
  /** Base PostgreSQL URL; each run gets a fresh schema in it. */
  readonly postgresUrl: string;
  /** Progress, to stderr: stdout carries only the JSON lines and the summary. */
  log(message: string): void;
}

export type Figure = string | number | boolean | null | readonly Figure[] | { readonly [key: string]: Figure };

export interface WorkloadResult {
  readonly figures: Record<string, Figure>;
  /** One line for the summary table, e.g. "1,000 instances in 3.4 s: 293/s". */
  readonly headline: string;
  /** Target text → whether this run met it. */
  readonly targets: Record<string, boolean>;
  readonly checks: readonly string[];
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly stores: readonly StoreKind[];
  run(context: WorkloadContext): Promise<WorkloadResult>;
}

export class BenchCheckError extends Error {
  override name = 'BenchCheckError';
}

/** Collects the checks a workload made; the first failure throws. */
export class Checks {
  readonly passed: string[] = [];
  constructor(private readonly workload: string) {}

  that(condition: boolean, what: string, detail = ''): void {
    if (!condition) this.fail(what, detail);
    this.passed.push(what);
  }

  fail(what: string, detail = ''): never {
    throw new BenchCheckError(`${this.workload}: check failed: ${what}${detail ? ` (${detail})` : ''}`);
  }

  /** Records a check whose every case was verified inline (failures go through fail()). */
  passedAll(what: string): void {
    this.passed.push(what);
  }

  equal(actual: unknown, expected: unknown, what: string): void {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    this.that(a === e, what, `expected ${clip(e)}, got ${clip(a)}`);
  }
}

function clip(text: string | undefined): string {
  const value = String(text);
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

/** Picks the value for this run's size. */
export function bySize<T>(size: Size, values: Record<Size, T>): T {
  return values[size];
}
