/**
 * @module http/management-status
 * The Durable Functions status body and the status answer of
 * `GET instances/{id}` (HttpApiHandler.HandleGetStatusRequestAsync).
 *
 * What must hold:
 * - `input`, `customStatus` and `output` are always present (`null` when
 *   absent): the durable-functions JS client refuses a status without them.
 * - A live instance answers 202 with `Location` (the request URL as
 *   received) and `Retry-After: 5`; a finished one 200, or 500 for Failed
 *   when the caller asked for it. No other answer has a Location.
 * - `historyEvents` appears only when asked for, the instance is not
 *   Pending, and there is at least one event.
 */
import type { OrchestrationStatus } from '../model/instance.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import { toDfHistory } from './df-history.ts';
import { json } from './errors.ts';

/** What Durable Functions sends as Retry-After on a live instance's status. */
export const STATUS_RETRY_AFTER_SECONDS = '5';

export interface StatusView {
  readonly showHistory: boolean;
  readonly showHistoryOutput: boolean;
  readonly showInput: boolean;
}

/** Durable Functions answers 200 once an instance has finished and 202 while it is live. */
export function statusCode(status: OrchestrationStatus, failureAs500: boolean): 200 | 202 | 500 {
  switch (status.runtimeStatus) {
    case RuntimeStatus.Completed:
    case RuntimeStatus.Terminated:
      return 200;
    case RuntimeStatus.Failed:
      return failureAs500 ? 500 : 200;
    default:
      return 202;
  }
}

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

/** The answer to `GET instances/{id}`, also used when a waiting start sees the instance fail or end. */
export function statusResponse(status: OrchestrationStatus, view: StatusView, requestUrl: string, failureAs500: boolean): Response {
  const code = statusCode(status, failureAs500);
  const headers: Record<string, string> = code === 202 ? { location: requestUrl, 'retry-after': STATUS_RETRY_AFTER_SECONDS } : {};
  return json(code, toStatusBody(status, view), headers);
}
