/**
 * @module client/start-options
 * Checks the singleton options of a start (conflict policy, reuse
 * statuses, request ID, input check, signal-with-start event) and turns
 * them into the fields of a store StartRequest.
 *
 * What must hold: a start that sets none of the new options sends the store
 * exactly what it sent before (`reject`, every terminal status reusable).
 */
import { ValidationError } from '../model/errors.ts';
import type { InboxEvent } from '../model/history.ts';
import { validateFunctionName } from '../model/instance-id.ts';
import { normalizePayload } from '../model/json.ts';
import { isRuntimeStatus, isTerminalStatus, TERMINAL_STATUSES, type RuntimeStatus } from '../model/runtime-status.ts';
import type { ConflictPolicy, StartRequest } from '../store/store.ts';
import { validateEventId } from './event-id.ts';
import { inputHash } from './input-hash.ts';

export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ['reject', 'useExisting', 'terminateExisting', 'queueLatest'];

/** The singleton options of startNew. */
export interface SingletonStartOptions {
  /** What to do when a live instance already has this ID (default 'reject'). */
  readonly onConflict?: ConflictPolicy;
  /** Terminal statuses that a new start may replace (default: Completed, Failed, Terminated). */
  readonly reuseStatuses?: readonly RuntimeStatus[];
  /**
   * Makes the start idempotent (HTTP: `Idempotency-Key`): a repeat with the
   * same ID and request ID answers `existing` with `sameRequest: true`
   * instead of a conflict. Kept with the instance as long as it exists.
   */
  readonly requestId?: string;
  /** `'error'`: `useExisting` throws (reason `inputMismatch`) if the live instance was started with other input. */
  readonly onInputMismatch?: 'error' | 'ignore';
  /** Signal-with-start: delivered in the start's transaction to the new instance, or to the live one. */
  readonly event?: { readonly name: string; readonly data?: unknown };
  /**
   * Whether purging this instance leaves a tombstone that keeps its ID used
   * until `releaseInstanceId` (default: true exactly when `reuseStatuses` is `[]`).
   */
  readonly keepTombstone?: boolean;
}

type StartFields = Pick<
  StartRequest,
  'onConflict' | 'reuseStatuses' | 'requestId' | 'inputHash' | 'onInputMismatch' | 'event' | 'keepTombstone'
>;

export function singletonStartFields(
  options: SingletonStartOptions & { readonly startAt?: unknown },
  input: unknown,
  now: number,
  maxPayloadBytes: number,
): StartFields {
  const onConflict = options.onConflict ?? 'reject';
  if (!CONFLICT_POLICIES.includes(onConflict)) throw new ValidationError('onConflict', `must be one of ${CONFLICT_POLICIES.join(', ')}`);
  const mismatch = options.onInputMismatch ?? 'ignore';
  if (mismatch !== 'error' && mismatch !== 'ignore') throw new ValidationError('onInputMismatch', "must be 'error' or 'ignore'");
  if (onConflict === 'queueLatest' && (options.event !== undefined || options.startAt !== undefined)) {
    throw new ValidationError('onConflict', "'queueLatest' cannot be combined with an event or startAt");
  }
  const event = options.event === undefined ? undefined : startEvent(options.event, now, maxPayloadBytes);
  const reuseStatuses = validateReuseStatuses(options.reuseStatuses);
  const keepTombstone = options.keepTombstone ?? reuseStatuses.length === 0;
  if (typeof keepTombstone !== 'boolean') throw new ValidationError('keepTombstone', 'must be a boolean');
  return {
    onConflict,
    reuseStatuses,
    ...(keepTombstone ? { keepTombstone } : {}),
    inputHash: inputHash(input),
    ...(options.requestId === undefined ? {} : { requestId: validateEventId(options.requestId, 'requestId') }),
    ...(mismatch === 'error' ? { onInputMismatch: 'error' as const } : {}),
    ...(event === undefined ? {} : { event }),
  };
}

function startEvent(event: { name: string; data?: unknown }, now: number, maxPayloadBytes: number): InboxEvent {
  if (typeof event !== 'object' || event === null) throw new ValidationError('event', 'must be an object { name, data }');
  const name = validateFunctionName(event.name, 'event.name');
  const input = normalizePayload(event.data, 'event.data', maxPayloadBytes);
  return { type: 'EventRaised', timestamp: new Date(now).toISOString(), name, ...(input === undefined ? {} : { input }) };
}

function validateReuseStatuses(statuses: readonly RuntimeStatus[] | undefined): readonly RuntimeStatus[] {
  if (statuses === undefined) return TERMINAL_STATUSES;
  // Checked through an `unknown` alias: Array.isArray would narrow the parameter itself to any[].
  const untyped: unknown = statuses;
  if (!Array.isArray(untyped)) throw new ValidationError('reuseStatuses', 'must be an array of terminal statuses');
  for (const status of statuses) {
    if (!isRuntimeStatus(status) || !isTerminalStatus(status)) {
      throw new ValidationError('reuseStatuses', `'${String(status)}' is not a terminal status (Completed, Failed, Terminated)`);
    }
  }
  return statuses;
}
