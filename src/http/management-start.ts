/**
 * @module http/management-start
 * `POST orchestrators/{functionName}/{instanceId?}` and
 * `POST instances/{instanceId}/restart`, with Durable Functions'
 * `timeout`/`pollingInterval` wait (HttpApiHandler.HandleStartOrchestratorRequestAsync,
 * HandleRestartInstanceRequestAsync, WaitForCompletionOrCreateCheckStatusResponseAsync).
 *
 * What must hold:
 * - The wait parameters are checked before anything starts, so a bad
 *   `timeout` never leaves an instance behind (Durable Functions checks
 *   some of them only after starting).
 * - Waiting ends with 200 and the bare output on Completed; with the status
 *   answer (200, Failed included) on Failed or Terminated; otherwise with
 *   the 202 check-status answer.
 * - The singleton options (http/start-options.ts) default to today's
 *   behaviour; a retry with the same `Idempotency-Key` answers the original
 *   202, a conflict 409 with the existing instance's name and the reason.
 * - An unknown orchestrator, or restarting an unknown instance, is a 400
 *   as in Durable Functions; a same-ID restart of a live instance is a 409
 *   (Durable Functions: 500).
 */
import { FunctionNotFoundError, InstanceNotFoundError, ValidationError, WaitForCompletionTimeoutError } from '../model/errors.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import { readJsonBody } from './body.ts';
import { json } from './errors.ts';
import type { ManagementRequest } from './management-routes.ts';
import { parseWait, type WaitOptions } from './management-query.ts';
import { statusResponse, type StatusView } from './management-status.ts';
import { startOptionsOf } from './start-options.ts';

export async function startOrchestration(request: ManagementRequest): Promise<Response> {
  const { c, deps, segments, query } = request;
  const wait = parseWait(query);
  const input = await readJsonBody(c.req.raw, deps.maxBodyBytes);
  const instanceId = segments[2];
  const options = startOptionsOf(query, c.req.raw.headers);
  const trace = traceHeaders(c.req.raw.headers);
  const started = await asBadRequest(() =>
    deps.client.startNew(segments[1]!, {
      ...options,
      ...trace,
      input,
      ...(instanceId === undefined || instanceId === '' ? {} : { instanceId }),
    }),
  );
  const answer = await answerStarted(request, started.instanceId, wait);
  // Which singleton outcome this was (created, existing, replaced, queued): the 202 body is Durable Functions' either way.
  answer.headers.set(START_OUTCOME_HEADER, started.outcome);
  return answer;
}

/** The start's outcome, on every answer of the start route. */
export const START_OUTCOME_HEADER = 'perdure-start-outcome';

export async function restartInstance(request: ManagementRequest): Promise<Response> {
  const { deps, segments, query } = request;
  const wait = parseWait(query);
  const newInstanceId = query.bool('restartWithNewInstanceId', true);
  const started = await asBadRequest(() => deps.client.restart(segments[1]!, { newInstanceId }));
  return answerStarted(request, started.instanceId, wait);
}

/** The caller's W3C trace context: the start's span (and the instance's trace) continues it. */
function traceHeaders(headers: Headers): { traceparent?: string; tracestate?: string } {
  const traceparent = headers.get('traceparent');
  if (traceparent === null) return {};
  const tracestate = headers.get('tracestate');
  return tracestate === null ? { traceparent } : { traceparent, tracestate };
}

/** Durable Functions answers an unknown orchestrator or instance on these routes with 400, not 404. */
async function asBadRequest<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof FunctionNotFoundError) throw new ValidationError('functionName', error.message, { cause: error });
    if (error instanceof InstanceNotFoundError) throw new ValidationError('instanceId', error.message, { cause: error });
    throw error;
  }
}

async function answerStarted({ c, deps, query }: ManagementRequest, instanceId: string, wait: WaitOptions | undefined): Promise<Response> {
  // The caller already holds a management key: its check-status URLs may carry one, as Durable Functions' do.
  const checkStatus = () => deps.client.createCheckStatusResponse(c.req.raw, instanceId, { includeManagementKey: true });
  if (!wait) return checkStatus();
  let status;
  try {
    status = await deps.client.waitForCompletion(instanceId, wait);
  } catch (error) {
    if (error instanceof WaitForCompletionTimeoutError) return checkStatus();
    throw error;
  }
  if (status.runtimeStatus === RuntimeStatus.Completed) return json(200, status.output ?? null);
  const view: StatusView = {
    showHistory: query.bool('showHistory', false),
    showHistoryOutput: query.bool('showHistoryOutput', false),
    showInput: query.bool('showInput', true),
  };
  const shown = view.showHistory ? await deps.client.getStatus(instanceId, { ...view, showHistoryOutput: true }) : status;
  return statusResponse(deps.client.forHttp(shown ?? status), view, c.req.url, false);
}
