/**
 * @module cli/http-target
 * The `--url` target: a running server's Durable Functions management API
 * under /runtime/webhooks/durabletask (docs/http-api.md), with the key in
 * `x-functions-key`.
 *
 * What must hold:
 * - Answers become the typed model errors the client itself throws (404 →
 *   InstanceNotFoundError, 409 → InstanceAlreadyExistsError, 410 →
 *   InvalidInstanceStateError...), with the client's operation names, so
 *   messages and exit codes match the `--store` target's.
 * - A server that cannot be reached, or refuses the key, is one line naming
 *   the URL and what to do; the key is never printed.
 */
import { MANAGEMENT_BASE_PATH } from '../client/http-management.ts';
import {
  FunctionNotFoundError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidInstanceStateError,
  StoreUnavailableError,
  type AlreadyExistsReason,
  type ExistingInstanceInfo,
} from '../model/errors.ts';
import type { RuntimeStatus } from '../model/runtime-status.ts';
import { CliError, ExitCode } from './cli-error.ts';
import { httpScheduleTarget } from './schedule-target.ts';
import type { ControlOperation, ListQuery, StatusBody, Target } from './target.ts';

const CONTINUATION_HEADER = 'x-ms-continuation-token';
const START_OUTCOME_HEADER = 'perdure-start-outcome';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> | unknown[] | null;
}

/** What a failed call was, to name it in the error: the instance, and the client's word for the operation. */
interface Call {
  readonly instanceId?: string;
  readonly operation?: string;
  readonly name?: string;
}

export function openHttpTarget(url: string, key: string | undefined): Promise<Target> {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new CliError(`--url '${url}' is not a URL (e.g. http://127.0.0.1:7071).`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new CliError(`--url '${url}' must be http:// or https://.`);
  const root = `${base.origin}${base.pathname.replace(/\/+$/, '')}${MANAGEMENT_BASE_PATH}`;
  const call = (method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) =>
    send(root, key, method, path, init);
  return Promise.resolve(httpTarget(call));
}

type Send = (method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }) => Promise<Answer>;

function httpTarget(call: Send): Target {
  const id = encodeURIComponent;
  const expect = (answer: Answer, ok: readonly number[], context: Call): Answer => {
    if (ok.includes(answer.status)) return answer;
    throw errorOf(answer, context);
  };
  return {
    async list(query) {
      const answer = expect(await call('GET', `/instances?${listParams(query)}`, listHeaders(query)), [200], {});
      const token = answer.headers.get(CONTINUATION_HEADER) || undefined;
      return { instances: answer.body as StatusBody[], ...(token ? { continuationToken: token } : {}) };
    },
    async status(instanceId, history) {
      const query = history ? '?showHistory=true&showHistoryOutput=true' : '';
      return expect(await call('GET', `/instances/${id(instanceId)}${query}`), [200, 202], { instanceId }).body as StatusBody;
    },
    async start({ name, instanceId, input, onConflict }) {
      const path = `/orchestrators/${id(name)}${instanceId === undefined ? '' : `/${id(instanceId)}`}?onConflict=${onConflict}`;
      const answer = expect(await call('POST', path, { body: input }), [202], { name });
      const started = answer.body as { id: string };
      return { instanceId: started.id, outcome: answer.headers.get(START_OUTCOME_HEADER) ?? 'created' };
    },
    async raise(instanceId, eventName, data) {
      const path = `/instances/${id(instanceId)}/raiseEvent/${id(eventName)}`;
      expect(await call('POST', path, { body: data }), [202], { instanceId, operation: 'raise an event on' });
    },
    async control(instanceId, operation: ControlOperation, reason) {
      const query = reason === undefined ? '' : `?reason=${encodeURIComponent(reason)}`;
      expect(await call('POST', `/instances/${id(instanceId)}/${operation}${query}`), [202], { instanceId, operation });
    },
    async restart(instanceId, sameId) {
      const answer = await call('POST', `/instances/${id(instanceId)}/restart?restartWithNewInstanceId=${String(!sameId)}`);
      return { instanceId: (expect(answer, [202], { instanceId, operation: 'restart' }).body as { id: string }).id };
    },
    async purgeInstance(instanceId) {
      const answer = expect(await call('DELETE', `/instances/${id(instanceId)}`), [200], { instanceId, operation: 'purge' });
      return (answer.body as { instancesDeleted: number }).instancesDeleted;
    },
    async purge({ runtimeStatus, createdFrom, createdTo }) {
      const params = new URLSearchParams({
        createdTimeFrom: createdFrom.toISOString(),
        createdTimeTo: createdTo.toISOString(),
        runtimeStatus: runtimeStatus.join(','),
      });
      // Durable Functions answers a purge that deleted nothing with 404.
      const answer = expect(await call('DELETE', `/instances?${params.toString()}`), [200, 404], {});
      return (answer.body as { instancesDeleted: number }).instancesDeleted;
    },
    async releaseInstanceId(instanceId) {
      const answer = await call('DELETE', `/perdure/tombstones/${id(instanceId)}`);
      return expect(answer, [200, 404], { instanceId }).status === 200;
    },
    schedules: httpScheduleTarget(async (method, path, body) => {
      const answer = await call(method, path, body === undefined ? {} : { body });
      return { status: answer.status, body: answer.body };
    }),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}

function listParams(query: ListQuery): string {
  const params = new URLSearchParams({ top: String(query.pageSize) });
  if (query.runtimeStatus) params.set('runtimeStatus', query.runtimeStatus.join(','));
  if (query.name !== undefined) params.set('name', query.name);
  if (query.instanceIdPrefix !== undefined) params.set('instanceIdPrefix', query.instanceIdPrefix);
  if (query.createdFrom) params.set('createdTimeFrom', query.createdFrom.toISOString());
  if (query.createdTo) params.set('createdTimeTo', query.createdTo.toISOString());
  return params.toString();
}

function listHeaders(query: ListQuery): { headers?: Record<string, string> } {
  return query.continuationToken ? { headers: { [CONTINUATION_HEADER]: query.continuationToken } } : {};
}

async function send(
  root: string,
  key: string | undefined,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> },
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers, ...(key ? { 'x-functions-key': key } : {}) };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${root}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(`Cannot reach the server at ${new URL(root).origin} (${why}): is \`perdure start\` running there? (--url)`, {
      exitCode: ExitCode.Error,
    });
  }
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: parseBody(text) };
}

function parseBody(text: string): Answer['body'] {
  if (text === '') return null;
  try {
    return JSON.parse(text) as Answer['body'];
  } catch {
    return { message: text.slice(0, 200) };
  }
}

function errorOf(answer: Answer, context: Call): Error {
  const body = (answer.body ?? {}) as Record<string, unknown>;
  const message = typeof body['message'] === 'string' ? body['message'] : `HTTP ${answer.status}`;
  const instanceId = context.instanceId ?? '';
  switch (answer.status) {
    case 400:
      // Durable Functions answers an unknown orchestrator (start) or instance (restart) with 400.
      if (body['field'] === 'functionName' && context.name) return new FunctionNotFoundError('orchestration', context.name);
      if (body['field'] === 'instanceId' && context.operation === 'restart') return new InstanceNotFoundError(instanceId);
      return new CliError(message);
    case 401:
    case 403:
      return new CliError(`${message} (give the key with --key or PERDURE_KEY)`, { exitCode: ExitCode.Error });
    case 404:
      return context.instanceId === undefined
        ? new CliError(message, { exitCode: ExitCode.NotFound })
        : new InstanceNotFoundError(instanceId);
    case 409:
      if (typeof body['name'] === 'string') {
        const reason = typeof body['reason'] === 'string' ? (body['reason'] as AlreadyExistsReason) : 'exists';
        return new InstanceAlreadyExistsError(body as unknown as ExistingInstanceInfo, reason);
      }
      return new InvalidInstanceStateError(instanceId, context.operation ?? 'change', body['runtimeStatus'] as RuntimeStatus);
    case 410:
      return new InvalidInstanceStateError(instanceId, context.operation ?? 'change', body['runtimeStatus'] as RuntimeStatus);
    case 413:
    case 415:
      return new CliError(message);
    case 503:
    case 507:
      return new StoreUnavailableError(
        `The server's store is unavailable (${typeof body['reason'] === 'string' ? body['reason'] : answer.status}); retry later.`,
      );
    default:
      return new CliError(`The server answered ${answer.status}: ${message}`, { exitCode: ExitCode.Error });
  }
}
