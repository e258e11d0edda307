/**
 * @module pending-start
 * The pending start that `queueLatest` keeps per instance ID, as both SQL
 * stores write and read it: one JSON row per ID, replaced by every newer
 * request, and turned back into a start request by the commit that ends
 * the live instance.
 *
 * What must hold: the start begun from a pending row is the queued request
 * itself (its name, input, execution ID and request ID), decided with the
 * defaults (a finished instance is replaced), never queued again.
 */
import { TERMINAL_STATUSES } from '../model/runtime-status.ts';
import { optional } from './row-codec.ts';
import type { PendingStart, StartRequest } from './store.ts';

interface StoredRequest {
  readonly name: string;
  readonly executionId: string;
  readonly input?: unknown;
  readonly requestId?: string;
  readonly inputHash?: string;
}

export function encodePendingStart(request: StartRequest): string {
  const stored: StoredRequest = {
    name: request.name,
    executionId: request.executionId,
    ...optional('input', request.input),
    ...optional('requestId', request.requestId),
    ...optional('inputHash', request.inputHash),
  };
  return JSON.stringify(stored);
}

export function decodePendingStart(instanceId: string, text: string, queuedAt: number): PendingStart {
  const stored = JSON.parse(text) as StoredRequest;
  return { instanceId, ...stored, queuedAt };
}

/** The start a pending row becomes once its instance has finished. */
export function pendingStartRequest(pending: PendingStart, now: number): StartRequest {
  return {
    instanceId: pending.instanceId,
    name: pending.name,
    executionId: pending.executionId,
    ...optional('input', pending.input),
    ...optional('requestId', pending.requestId),
    ...optional('inputHash', pending.inputHash),
    onConflict: 'reject',
    reuseStatuses: TERMINAL_STATUSES,
    now,
  };
}
