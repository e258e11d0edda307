/**
 * @module store/purge-window
 * The time bounds of a filtered purge, shared by both SQL stores.
 *
 * What must hold: an instance finishes after it is created, so a bound on
 * the finish time also bounds the creation time; applying it to `created_at`
 * lets the (status, created) index skip everything created since, instead
 * of reading every finished instance to test its finish time.
 */
import type { PurgeFilter } from './store.ts';

export interface PurgeWindow {
  readonly createdFrom: number;
  readonly createdTo: number;
  readonly completedTo: number;
}

export function purgeWindow(filter: Exclude<PurgeFilter, { readonly instanceId: string }>): PurgeWindow {
  const completedTo = filter.completedTo ?? Number.MAX_SAFE_INTEGER;
  return {
    createdFrom: filter.createdFrom ?? Number.MIN_SAFE_INTEGER,
    // created_at <= completed_at, so `completed_at < x` implies `created_at <= x`; +1 keeps the bound exclusive.
    createdTo: Math.min(
      filter.createdTo ?? Number.MAX_SAFE_INTEGER,
      completedTo === Number.MAX_SAFE_INTEGER ? completedTo : completedTo + 1,
    ),
    completedTo,
  };
}
