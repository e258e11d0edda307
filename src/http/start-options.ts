/**
 * @module http/start-options
 * The singleton options of the built-in start route, read from the query
 * and headers: `?onConflict=`, `?reuse=` (comma-separated terminal
 * statuses; empty for none), `?onInputMismatch=error`, `?event=NAME` with
 * optional `?eventData=JSON`, `?executionTimeoutMs=` (Perdure's; whole
 * milliseconds), `?version=` (the orchestration version; a Perdure
 * extension), and the `Idempotency-Key` header (the start's request ID).
 *
 * What must hold: a request with none of them starts exactly as before
 * (`reject`, every terminal status reusable), and a bad value is a 400
 * naming the parameter.
 */
import type { StartNewOptions } from '../client/client.ts';
import { ValidationError } from '../model/errors.ts';
import type { RuntimeStatus } from '../model/runtime-status.ts';
import type { ConflictPolicy } from '../store/store.ts';
import type { ManagementQuery } from './management-query.ts';

export function startOptionsOf(query: ManagementQuery, headers: Headers): StartNewOptions<unknown> {
  const onConflict = query.single('onConflict');
  // `?reuse=` (empty) is meaningful: no status may be reused, the ID is used once (and keeps a tombstone).
  const reuse = query.get('reuse') === '' ? '' : query.single('reuse');
  const onInputMismatch = query.single('onInputMismatch');
  const event = query.single('event');
  const requestId = headers.get('idempotency-key') ?? undefined;
  const timeout = query.single('executionTimeoutMs');
  const version = query.single('version');
  return {
    ...(timeout === undefined ? {} : { executionTimeoutMs: wholeMs(timeout) }),
    ...(version === undefined ? {} : { version }),
    ...(onConflict === undefined ? {} : { onConflict: onConflict as ConflictPolicy }),
    ...(reuse === undefined ? {} : { reuseStatuses: splitList(reuse) as RuntimeStatus[] }),
    ...(onInputMismatch === undefined ? {} : { onInputMismatch: onInputMismatch as 'error' }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(event === undefined ? {} : { event: { name: event, ...eventData(query.single('eventData')) } }),
  };
}

/** Digits only: `1e3`, `10.5` or `-1` is a 400 rather than a deadline the caller did not mean. */
function wholeMs(text: string): number {
  if (!/^[0-9]{1,15}$/.test(text)) throw new ValidationError('executionTimeoutMs', 'must be a whole number of milliseconds');
  return Number(text);
}

function splitList(value: string): string[] {
  return value === '' ? [] : value.split(',').map((s) => s.trim());
}

function eventData(text: string | undefined): { data?: unknown } {
  if (text === undefined) return {};
  try {
    return { data: JSON.parse(text) as unknown };
  } catch (error) {
    throw new ValidationError('eventData', 'must be JSON', { cause: error });
  }
}
