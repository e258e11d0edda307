/**
 * @module client/df-status
 * The Durable Functions status body (HttpApiHandler's answer to
 * `GET instances/{id}`), built from a client status. Below the HTTP layer so
 * that every reader of an instance (the management API, the operator CLI
 * reading a store directly, the dashboard) shows one shape.
 *
 * What must hold:
 * - `input`, `customStatus` and `output` are always present (`null` when
 *   absent): the durable-functions JS client refuses a status without them.
 * - `historyEvents` appears only when asked for, the instance is not
 *   Pending, and there is at least one event.
 */
import type { OrchestrationStatus } from '../model/instance.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import { toDfHistory } from './df-history.ts';

export interface StatusView {
  readonly showHistory: boolean;
  readonly showHistoryOutput: boolean;
  readonly showInput: boolean;
}

/**
 * The Durable Functions-shaped status of one instance.
 *
 * @example
 * const status = await client.getStatus(id, { showHistory: true, showHistoryOutput: true });
 * const body = status && toStatusBody(status, { showHistory: true, showHistoryOutput: true, showInput: true });
 */
export function toStatusBody(status: OrchestrationStatus, view?: StatusView): Record<string, unknown> {
  const history = view?.showHistory && status.historyEvents && status.runtimeStatus !== RuntimeStatus.Pending ? status.historyEvents : [];
  const historyEvents = view && history.length > 0 ? toDfHistory(history, view) : [];
  return {
    name: status.name,
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    input: status.input ?? null,
    customStatus: status.customStatus ?? null,
    output: outputOf(status),
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    // Not in Durable Functions' status: present only for a versioned instance, so DF clients never see it otherwise.
    ...(status.version === undefined ? {} : { version: status.version }),
    ...(status.failureDetails ? { failureDetails: status.failureDetails } : {}),
    ...(historyEvents.length > 0 ? { historyEvents } : {}),
  };
}

/**
 * A Failed instance's output is its failure message. A Terminated one's is
 * its reason, read as JSON when it is JSON text, as Durable Functions reads
 * every stored output (`"123"` comes back as the number 123).
 */
function outputOf(status: OrchestrationStatus): unknown {
  if (status.runtimeStatus === RuntimeStatus.Failed) return status.failureDetails?.message ?? status.output ?? null;
  if (status.runtimeStatus === RuntimeStatus.Terminated && typeof status.output === 'string') return parsedOrRaw(status.output);
  return status.output ?? null;
}

function parsedOrRaw(text: string): unknown {
  if (text.trim() === '') return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
