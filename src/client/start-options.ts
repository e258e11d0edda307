/**
 * @module client/start-options
 * Checks the singleton options of a start (conflict policy, reuse
 * statuses, request ID, input check, signal-with-start event, execution
 * timeout) and turns
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
   * Terminate the instance (and, as a termination does, its live children)
   * if it is still live this many milliseconds after it begins (after
   * `startAt`, for a delayed start). Continue-as-new keeps the deadline.
   */
  readonly executionTimeoutMs?: number;
  /**
   * Whether purging this instance leaves a tombstone that keeps its ID used
   * until `releaseInstanceId` (default: true exactly when `reuseStatuses` is `[]`).
   */
  readonly keepTombstone?: boolean;
}

type StartFields = Pick<
  StartRequest,
  'onConflict' | 'reuseStatuses' | 'requestId' | 'inputHash' | 'onInputMismatch' | 'event' | 'deadline' | 'keepTombstone'
>;

/** The longest execution timeout taken: about 100 years, so a deadline is always a safe integer. */
const MAX_EXECUTION_TIMEOUT_MS = 100 * 365 * 24 * 3_600_000;

export function singletonStartFields(
  options: SingletonStartOptions & { readonly startAt?: unknown },
  input: unknown,
  now: number,
  maxPayloadBytes: number,
  beginsAt: number = now,
): StartFields {
  const onConflict = options.onConflict ?? 'reject';
  if (!CONFLICT_POLICIES.includes(onConflict)) throw new ValidationError('onConflict', `must be one of ${CONFLICT_POLICIES.join(', ')}`);
  const mismatch = options.onInputMismatch ?? 'ignore';
  if (mismatch !== 'error' && mismatch !== 'ignore') throw new ValidationError('onInputMismatch', "must be 'error' or 'ignore'");
  if (onConflict === 'queueLatest' && (options.event !== undefined || options.startAt !== undefined)) {
    throw new ValidationError('onConflict', "'queueLatest' cannot be combined with an event or startAt");
  }
  if (onConflict === 'queueLatest' && options.executionTimeoutMs !== undefined) {
    throw new ValidationError('onConflict', "'queueLatest' cannot be combined with executionTimeoutMs");
  }
  const deadline = options.executionTimeoutMs === undefined ? undefined : deadlineOf(options.executionTimeoutMs, beginsAt);
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
    ...(deadline === undefined ? {} : { deadline }),
  };
}

/** The execution timeout as the store keeps it: a termination that becomes visible when it falls due. */
function deadlineOf(timeoutMs: unknown, beginsAt: number): NonNullable<StartRequest['deadline']> {
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_EXECUTION_TIMEOUT_MS) {
    throw new ValidationError('executionTimeoutMs', `must be a whole number of milliseconds from 1 to ${MAX_EXECUTION_TIMEOUT_MS}`);
  }
  const at = beginsAt + timeoutMs;
  const reason = `execution timed out: still running ${timeoutMs} ms after it began (executionTimeoutMs)`;
  return { at, event: { type: 'ExecutionTerminated', timestamp: new Date(at).toISOString(), reason } };
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
