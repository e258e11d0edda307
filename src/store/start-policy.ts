/**
 * @module start-policy
 * What a start does to an existing instance with the same ID. Both stores
 * call this inside the write transaction that then acts on the answer, so
 * the decision and the write are one atomic step (never check-then-start).
 *
 * What must hold:
 * - A repeat of the request that started the instance (same `requestId`)
 *   is answered `existing` with `sameRequest`, whatever the policy and the
 *   instance's status: a retried start never fails on its own instance.
 * - `useExisting` and `queueLatest` only ever join or queue behind an
 *   instance of the same orchestration (else `nameMismatch`), and with
 *   `onInputMismatch: 'error'` only one started with the same input digest.
 * - Without the new options, the answers are exactly those of before.
 * - A tombstone answers as the purged instance would have (a finished
 *   instance of its final status): a start whose `reuseStatuses` has that
 *   status frees the ID and starts; any other is a `tombstone` conflict,
 *   whatever `onConflict` says (there is no instance left to join).
 */
import { isLiveStatus, type RuntimeStatus } from '../model/runtime-status.ts';
import type { ConflictReason, StartRequest, Tombstone } from './store.ts';

export type StartDecision =
  | { readonly kind: 'replace' }
  | { readonly kind: 'existing'; readonly sameRequest?: true }
  | { readonly kind: 'queue' }
  | { readonly kind: 'conflict'; readonly reason: ConflictReason };

/** What the decision needs of the stored instance. */
export interface ExistingStart {
  readonly runtimeStatus: RuntimeStatus;
  readonly name: string;
  readonly requestId: string | null;
  readonly inputHash: string | null;
}

type PolicyFields = Pick<StartRequest, 'onConflict' | 'reuseStatuses' | 'name' | 'requestId' | 'inputHash' | 'onInputMismatch'>;

/** Live instances follow `onConflict`; finished ones are replaced only if their status is in `reuseStatuses`. */
export function decideStart(existing: ExistingStart, request: PolicyFields): StartDecision {
  if (request.requestId !== undefined && existing.requestId === request.requestId) return { kind: 'existing', sameRequest: true };
  const live = isLiveStatus(existing.runtimeStatus);
  if (live && request.onConflict === 'terminateExisting') return { kind: 'replace' };
  if (!live && request.reuseStatuses.includes(existing.runtimeStatus)) return { kind: 'replace' };
  const joins = request.onConflict === 'useExisting' || (live && request.onConflict === 'queueLatest');
  if (!joins) return { kind: 'conflict', reason: 'exists' };
  if (existing.name !== request.name) return { kind: 'conflict', reason: 'nameMismatch' };
  if (request.onInputMismatch === 'error' && existing.inputHash !== (request.inputHash ?? null)) {
    return { kind: 'conflict', reason: 'inputMismatch' };
  }
  return request.onConflict === 'queueLatest' ? { kind: 'queue' } : { kind: 'existing' };
}

/** Whether a start may take the ID of a purged instance that left `tombstone`. */
export function tombstoneAllowsStart(tombstone: Pick<Tombstone, 'runtimeStatus'>, request: Pick<StartRequest, 'reuseStatuses'>): boolean {
  return request.reuseStatuses.includes(tombstone.runtimeStatus);
}

/** The conflict a tombstone answers: the record is what the tombstone remembers of the purged instance. */
export function tombstoneConflict(tombstone: Tombstone) {
  const instance = {
    instanceId: tombstone.instanceId,
    name: tombstone.name,
    executionId: tombstone.executionId,
    runtimeStatus: tombstone.runtimeStatus,
    createdAt: tombstone.createdAt,
    updatedAt: tombstone.purgedAt,
  };
  return { outcome: 'conflict', instance, reason: 'tombstone', tombstone } as const;
}
