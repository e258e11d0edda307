/**
 * @module chaos/probe
 * What every probe of `npm run chaos` returns: its figures, the checks that
 * must hold (a broken one makes the run fail), and the targets it reports
 * (speed or latency goals: reported, never a failure, as in `npm run bench`),
 * or the reason it was skipped on this machine.
 */
export interface ProbeResult {
  readonly probe: string;
  readonly figures: Readonly<Record<string, unknown>>;
  /** Correctness: each must be true, or the run fails. */
  readonly checks: Readonly<Record<string, boolean>>;
  /** Goals reported with their outcome. */
  readonly targets?: Readonly<Record<string, boolean>>;
  readonly skipped?: string;
}

export interface Probe {
  readonly name: string;
  readonly summary: string;
  run(): Promise<ProbeResult>;
}

export function skipped(probe: string, reason: string): ProbeResult {
  return { probe, figures: {}, checks: {}, skipped: reason };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
