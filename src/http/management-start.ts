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
 * - `onConflict` (reject, useExisting, terminateExisting) is Perdure's
 *   extension; the answer's `x-perdure-start-outcome` header says what the
 *   start did. Durable Functions clients send neither and see no change.
 * - An unknown orchestrator, or restarting an unknown instance, is a 400
 *   as in Durable Functions; a same-ID restart of a live instance is a 409
 *   (Durable Functions: 500).
 */
import { FunctionNotFoundError, InstanceNotFoundError, ValidationError, WaitForCompletionTimeoutError } from '../model/errors.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import { readJsonBody } from './body.ts';
import { json } from './errors.ts';
import type { ManagementRequest } from './management-routes.ts';
import { parseWait, type ManagementQuery, type WaitOptions } from './management-query.ts';
import type { ConflictPolicy } from '../store/store.ts';
import { statusResponse, type StatusView } from './management-status.ts';

export async function startOrchestration(request: ManagementRequest): Promise<Response> {
  const { c, deps, segments, query } = request;
  const wait = parseWait(query);
  const input = await readJsonBody(c.req.raw, deps.maxBodyBytes);
  const instanceId = segments[2];
  const onConflict = parseConflictPolicy(query);
  const started = await asBadRequest(() =>
    deps.client.startNew(segments[1]!, {
      input,
      ...(instanceId === undefined || instanceId === '' ? {} : { instanceId }),
      ...(onConflict === undefined ? {} : { onConflict }),
    }),
  );
  const answer = await answerStarted(request, started.instanceId, wait);
  answer.headers.set(START_OUTCOME_HEADER, started.outcome);
  return answer;
}

/** Perdure's own header on a start's answer: `created`, `existing` (onConflict=useExisting) or `replaced`. */
export const START_OUTCOME_HEADER = 'x-perdure-start-outcome';

/** `onConflict`, a Perdure extension (Durable Functions has none): the client's policy names, checked by the client. */
function parseConflictPolicy(query: ManagementQuery): ConflictPolicy | undefined {
  return query.single('onConflict') as ConflictPolicy | undefined;
}

export async function restartInstance(request: ManagementRequest): Promise<Response> {
  const { deps, segments, query } = request;
  const wait = parseWait(query);
  const newInstanceId = query.bool('restartWithNewInstanceId', true);
  const started = await asBadRequest(() => deps.client.restart(segments[1]!, { newInstanceId }));
  return answerStarted(request, started.instanceId, wait);
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
