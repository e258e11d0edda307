/**
 * @module bench/lib/stats
 * Timing helpers: a monotonic stopwatch, nearest-rank percentiles and
 * rounding for figures, so every workload reports numbers the same way.
 */
export function stopwatch(): () => number {
  const start = performance.now();
  return () => performance.now() - start;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Rounds to `digits` significant decimals for display in JSON (keeps large numbers whole). */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function mib(bytes: number): number {
  return round(bytes / (1024 * 1024), 1);
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
