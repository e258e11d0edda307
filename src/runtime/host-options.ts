/**
 * @module host-options
 * Checks the tuning options of `createHost` before anything is started.
 *
 * What must hold:
 * - Every numeric option is an integer inside its range; anything else is a
 *   ValidationError whose field is the option's path (`activities.concurrency`).
 * - An unknown key inside `orchestrations` or `activities` is an error, so a
 *   typo never silently leaves a default in force.
 * - The CLI checks its config module with the same rules, and every default
 *   is here too (one place knows the ranges and the defaults).
 */
import { ValidationError } from '../model/errors.ts';

type Range = readonly [min: number, max: number];

const DAY_MS = 86_400_000;

const SECTIONS = {
  orchestrations: {
    batchSize: [1, 1_000],
    leaseMs: [100, DAY_MS],
    sessionCacheSize: [0, 10_000_000],
    inlineActivityWindowMs: [0, 60_000],
    maxChainedTurns: [1, 10_000],
    turnBudgetMs: [0, 600_000],
  },
  activities: {
    concurrency: [1, 100_000],
    leaseMs: [100, DAY_MS],
  },
  retention: {
    completed: [1, 100 * 365 * DAY_MS],
    failed: [1, 100 * 365 * DAY_MS],
    terminated: [1, 100 * 365 * DAY_MS],
    intervalMs: [100, DAY_MS],
  },
} as const satisfies Record<string, Record<string, Range>>;

const TOP_LEVEL = {
  maxPollIntervalMs: [1, 3_600_000],
  shutdownGraceMs: [0, DAY_MS],
  maxPayloadBytes: [1, 64 * 1024 * 1024],
  maxDeliveries: [1, 1_000],
} as const satisfies Record<string, Range>;

/** The tuning keys `createHost` accepts besides `app`, `store` and the injected services. */
export const TUNING_KEYS = [...Object.keys(SECTIONS), ...Object.keys(TOP_LEVEL), 'workers'] as const;

/** Throws ValidationError naming the first bad option; returns nothing when all are well-formed. */
export function validateHostTuning(options: Readonly<Record<string, unknown>>): void {
  for (const [section, ranges] of Object.entries(SECTIONS)) {
    const value = options[section];
    if (value === undefined) continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ValidationError(section, `must be an object (got ${JSON.stringify(value)})`);
    }
    for (const [key, entry] of Object.entries(value)) {
      const range = (ranges as Record<string, Range>)[key];
      if (!range) throw new ValidationError(`${section}.${key}`, `is not an option (known: ${Object.keys(ranges).join(', ')})`);
      checkInteger(entry, `${section}.${key}`, range);
    }
  }
  for (const [key, range] of Object.entries(TOP_LEVEL)) checkInteger(options[key], key, range);
  if (options['workers'] !== undefined && typeof options['workers'] !== 'boolean') {
    throw new ValidationError('workers', `must be true or false (got ${JSON.stringify(options['workers'])})`);
  }
}

function checkInteger(value: unknown, field: string, [min, max]: Range): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
}

/** How long a crashed host's claimed turn stays blocked before another host takes it over. */
export const DEFAULT_ORCHESTRATION_LEASE_MS = 15_000;
/** Renewed every third of its length while an activity runs, so it bounds recovery time, not activity duration. */
export const DEFAULT_ACTIVITY_LEASE_MS = 30_000;

/** Deliveries of one turn or activity that may end without a result (the process died, the lease expired) before it is poisoned. */
export const DEFAULT_MAX_DELIVERIES = 5;

/** Every tuning option with its default filled in. */
export interface HostTuning {
  readonly orchestrations: {
    readonly batchSize: number;
    readonly leaseMs: number;
    readonly sessionCacheSize: number;
    readonly inlineActivityWindowMs: number;
    readonly maxChainedTurns: number;
    /** The longest an orchestrator may run without yielding, in one turn, before it is stopped. */
    readonly turnBudgetMs: number;
  };
  readonly activities: { readonly concurrency: number; readonly leaseMs: number };
  readonly maxPollIntervalMs: number;
  readonly shutdownGraceMs: number;
  /** Deliveries of a turn or an activity that may end without a result before the work is poisoned. */
  readonly maxDeliveries: number;
}

export interface TuningOptions {
  readonly orchestrations?: Partial<HostTuning['orchestrations']>;
  readonly activities?: Partial<HostTuning['activities']>;
  readonly maxPollIntervalMs?: number;
  readonly shutdownGraceMs?: number;
  readonly maxDeliveries?: number;
}

export function withDefaults(options: TuningOptions): HostTuning {
  const o = options.orchestrations ?? {};
  const a = options.activities ?? {};
  return {
    orchestrations: {
      batchSize: o.batchSize ?? 100,
      leaseMs: o.leaseMs ?? DEFAULT_ORCHESTRATION_LEASE_MS,
      sessionCacheSize: o.sessionCacheSize ?? 10_000,
      inlineActivityWindowMs: o.inlineActivityWindowMs ?? 20,
      maxChainedTurns: o.maxChainedTurns ?? 64,
      turnBudgetMs: o.turnBudgetMs ?? 1_000,
    },
    activities: { concurrency: a.concurrency ?? 100, leaseMs: a.leaseMs ?? DEFAULT_ACTIVITY_LEASE_MS },
    maxPollIntervalMs: options.maxPollIntervalMs ?? 1_000,
    shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
    maxDeliveries: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES,
  };
}
