/**
 * @module http/management-status
 * The Durable Functions status body and the status answer of
 * `GET instances/{id}` (HttpApiHandler.HandleGetStatusRequestAsync).
 *
 * What must hold:
 * - The body is client/df-status's, so every reader shows one shape.
 * - A live instance answers 202 with `Location` (the request URL as
 *   received) and `Retry-After: 5`; a finished one 200, or 500 for Failed
 *   when the caller asked for it. No other answer has a Location.
 */
import type { OrchestrationStatus } from '../model/instance.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import { toStatusBody, type StatusView } from '../client/df-status.ts';
import { json } from './errors.ts';

export { toStatusBody, type StatusView };

/** What Durable Functions sends as Retry-After on a live instance's status. */
export const STATUS_RETRY_AFTER_SECONDS = '5';

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

/** The answer to `GET instances/{id}`, also used when a waiting start sees the instance fail or end. */
export function statusResponse(status: OrchestrationStatus, view: StatusView, requestUrl: string, failureAs500: boolean): Response {
  const code = statusCode(status, failureAs500);
  const headers: Record<string, string> = code === 202 ? { location: requestUrl, 'retry-after': STATUS_RETRY_AFTER_SECONDS } : {};
  return json(code, toStatusBody(status, view), headers);
}
