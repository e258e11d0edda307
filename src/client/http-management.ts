/**
 * @module http-management
 * The Durable Functions check-status payload and responses. URLs are
 * absolute, built from the caller's request origin, and carry the host key
 * (`code=`) when one is configured, as Durable Functions does.
 */
export const MANAGEMENT_BASE_PATH = '/runtime/webhooks/durabletask';
/** What Durable Functions (and its JS client) sends as Retry-After with a check-status answer. */
export const CHECK_STATUS_RETRY_AFTER_SECONDS = '10';

export interface HttpManagementPayload {
  readonly id: string;
  readonly statusQueryGetUri: string;
  readonly sendEventPostUri: string;
  readonly terminatePostUri: string;
  readonly purgeHistoryDeleteUri: string;
  readonly restartPostUri: string;
  readonly suspendPostUri: string;
  readonly resumePostUri: string;
  readonly rewindPostUri: string;
}

export function createHttpManagementPayload(origin: string, instanceId: string, hostKey?: string): HttpManagementPayload {
  const base = `${origin.replace(/\/+$/, '')}${MANAGEMENT_BASE_PATH}/instances/${encodeURIComponent(instanceId)}`;
  const code = hostKey ? `code=${encodeURIComponent(hostKey)}` : '';
  const url = (path: string, query?: string) => {
    const params = [query, code].filter(Boolean).join('&');
    return `${base}${path}${params ? `?${params}` : ''}`;
  };
  return {
    id: instanceId,
    statusQueryGetUri: url(''),
    sendEventPostUri: url('/raiseEvent/{eventName}'),
    terminatePostUri: url('/terminate', 'reason={text}'),
    purgeHistoryDeleteUri: url(''),
    restartPostUri: url('/restart'),
    suspendPostUri: url('/suspend', 'reason={text}'),
    resumePostUri: url('/resume', 'reason={text}'),
    rewindPostUri: url('/rewind', 'reason={text}'),
  };
}

/** 202 Accepted with the check-status body, a Location header and Durable Functions' `Retry-After: 10`. */
export function checkStatusResponse(request: Request, instanceId: string, hostKey?: string): Response {
  const payload = createHttpManagementPayload(new URL(request.url).origin, instanceId, hostKey);
  return Response.json(payload, {
    status: 202,
    headers: { Location: payload.statusQueryGetUri, 'Retry-After': CHECK_STATUS_RETRY_AFTER_SECONDS },
  });
}
