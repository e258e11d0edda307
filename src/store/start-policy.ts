/**
 * @module start-policy
 * What a start does to an existing instance with the same ID. Both stores
 * call this inside the write transaction that then acts on the answer, so
 * the decision and the write are one atomic step (never check-then-start).
 */
import { isLiveStatus, type RuntimeStatus } from '../model/runtime-status.ts';
import type { StartRequest } from './store.ts';

export type StartDecision = 'replace' | 'existing' | 'conflict';

/** Live instances follow `onConflict`; finished ones are replaced only if their status is in `reuseStatuses`. */
export function decideStart(existing: RuntimeStatus, request: Pick<StartRequest, 'onConflict' | 'reuseStatuses'>): StartDecision {
  if (isLiveStatus(existing)) {
    if (request.onConflict === 'terminateExisting') return 'replace';
    return request.onConflict === 'useExisting' ? 'existing' : 'conflict';
  }
  if (request.reuseStatuses.includes(existing)) return 'replace';
  return request.onConflict === 'useExisting' ? 'existing' : 'conflict';
}
