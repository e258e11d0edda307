/**
 * @module http/management-routes
 * The Durable Functions HTTP management API under
 * `/runtime/webhooks/durabletask/`, routed as HttpApiHandler routes it:
 * `orchestrators/{functionName}/{instanceId?}`,
 * `instances/{instanceId?}/{operation?}` and
 * `instances/{instanceId}/raiseEvent/{eventName}` and `entities/{name}/{key?}`
 * (http/entity-routes), with case-insensitive
 * literal segments and operation names.
 *
 * What must hold:
 * - Every route needs the system key or the master key once any key is
 *   configured; without keys, the browser checks of http/browser-guard.
 * - Bodies are JSON (http/body): 415 for another media type or an encoding.
 * - Routes only translate HTTP to DurableClient calls; validation and the
 *   atomic start-if-absent live in the client and the store, and typed
 *   errors become status codes in http/errors, except where Durable
 *   Functions answers a route differently (noted at the route).
 * - A route or method Durable Functions does not serve is a 404, except
 *   Perdure's own read routes under `perdure/` (http/management-extensions).
 */
import { Hono, type Context } from 'hono';
import type { DurableClient } from '../client/client.ts';
import { MAX_PAGE_SIZE } from '../client/filters.ts';
import { MANAGEMENT_BASE_PATH } from '../client/http-management.ts';
import { InvalidInstanceStateError, ValidationError } from '../model/errors.ts';
import { isLiveStatus } from '../model/runtime-status.ts';
import type { ResolvedKeys } from '../runtime/keys.ts';
import { requireKey, type KeylessAuthorizer } from './auth.ts';
import { jsonBodiesOnly, readJsonBody } from './body.ts';
import { json } from './errors.ts';
import { EXTENSIONS_HEAD, extensionRoute } from './management-extensions.ts';
import { parseManagementPath } from './management-path.ts';
import { entityRoute } from './entity-routes.ts';
import { CONTINUATION_HEADER, ManagementQuery, parseStatuses, parseTop } from './management-query.ts';
import { scheduleRoute } from './management-schedules.ts';
import { restartInstance, startOrchestration } from './management-start.ts';
import { statusResponse, toStatusBody, type StatusView } from './management-status.ts';

export interface ManagementDeps {
  readonly client: DurableClient;
  readonly keys: ResolvedKeys;
  readonly maxBodyBytes: number;
  /** The registered orchestrations' names (for `perdure/orchestrators`). */
  readonly orchestrations?: () => readonly string[];
  /** Authorizes a request that carries no key, e.g. by a dashboard session (see http/auth's requireKey). */
  readonly authorizeWithoutKey?: KeylessAuthorizer;
}

export { MANAGEMENT_BASE_PATH };

/** One request, routed: its decoded path segments and its query read Durable Functions' way. */
export interface ManagementRequest {
  readonly c: Context;
  readonly deps: ManagementDeps;
  readonly segments: readonly string[];
  readonly query: ManagementQuery;
}

type Handler = (request: ManagementRequest) => Promise<Response>;

export function managementRoutes(deps: ManagementDeps): Hono {
  const routes = new Hono({ strict: false });
  routes.use('*', requireKey(deps.keys, 'management', deps.authorizeWithoutKey));
  routes.use('*', jsonBodiesOnly());
  routes.all('*', (c) => dispatch(c, deps));
  return routes;
}

async function dispatch(c: Context, deps: ManagementDeps): Promise<Response> {
  const url = new URL(c.req.url);
  const base = url.pathname.indexOf(MANAGEMENT_BASE_PATH);
  const { segments, extraQuery } = parseManagementPath(url.pathname.slice(base + MANAGEMENT_BASE_PATH.length));
  const handler = route(c.req.method, segments);
  if (!handler) return json(404, { message: `No route matches ${c.req.method} ${url.pathname}.` });
  return handler({ c, deps, segments, query: new ManagementQuery(url.search, extraQuery) });
}

function route(method: string, segments: readonly string[]): Handler | undefined {
  const head = segments[0]?.toLowerCase();
  if (head === EXTENSIONS_HEAD) return extensionRoute(method, segments);
  if (head === 'orchestrators' && (segments.length === 2 || segments.length === 3))
    return method === 'POST' ? startOrchestration : undefined;
  if (head === 'entities') return entityRoute(method, segments);
  if (head === 'schedules') return scheduleRoute(method, segments);
  if (head !== 'instances') return undefined;
  switch (segments.length) {
    case 1:
      return method === 'GET' ? listInstances : method === 'DELETE' ? purgeByFilter : undefined;
    case 2:
      return method === 'GET' ? getInstance : method === 'DELETE' ? purgeInstance : undefined;
    case 3:
      return method === 'POST' ? OPERATIONS[segments[2]!.toLowerCase()] : undefined;
    case 4:
      return method === 'POST' && segments[2]!.toLowerCase() === 'raiseevent' ? raiseEvent : undefined;
    default:
      return undefined;
  }
}

const OPERATIONS: Record<string, Handler | undefined> = {
  terminate: (r) => control(r, 'terminate'),
  suspend: (r) => control(r, 'suspend'),
  resume: (r) => control(r, 'resume'),
  rewind,
  restart: restartInstance,
};

async function getInstance({ c, deps, segments, query }: ManagementRequest): Promise<Response> {
  const view: StatusView = {
    showHistory: query.bool('showHistory', false),
    showHistoryOutput: query.bool('showHistoryOutput', false),
    showInput: query.bool('showInput', true),
  };
  const id = segments[1]!;
  // The full history is read; which results to show is decided when it takes Durable Functions' shape.
  const status = await deps.client.getStatus(id, { showHistory: view.showHistory, showHistoryOutput: true, showInput: view.showInput });
  if (!status) return json(404, { message: `No instance with ID '${id}' was found.` });
  return statusResponse(deps.client.forHttp(status), view, c.req.url, query.bool('returnInternalServerErrorOnFailure', false));
}

/** Durable Functions always sends the continuation header on a list, empty on the last page. */
async function listInstances({ c, deps, query }: ManagementRequest): Promise<Response> {
  const runtimeStatus = parseStatuses(query);
  const showInput = query.bool('showInput', true);
  if (runtimeStatus?.length === 0) return json(200, [], { [CONTINUATION_HEADER]: '' });
  const instanceIdPrefix = query.single('instanceIdPrefix');
  // Perdure's extensions: Durable Functions' list has no name filter, and lists entities' instances
  // (its in-process HTTP API does; its gRPC query sets ExcludeEntities), so leaving them out is asked for.
  const name = query.single('name');
  const excludeEntities = query.bool('excludeEntities', false);
  const createdTimeFrom = query.date('createdTimeFrom');
  const createdTimeTo = query.date('createdTimeTo');
  const continuationToken = c.req.header(CONTINUATION_HEADER) || undefined;
  const page = await deps.client.listInstances({
    pageSize: Math.min(parseTop(query), MAX_PAGE_SIZE),
    showInput,
    ...(runtimeStatus ? { runtimeStatus } : {}),
    ...(instanceIdPrefix === undefined ? {} : { instanceIdPrefix }),
    ...(name === undefined ? {} : { name }),
    ...(excludeEntities ? { excludeEntities } : {}),
    ...(createdTimeFrom ? { createdTimeFrom } : {}),
    ...(createdTimeTo ? { createdTimeTo } : {}),
    ...(continuationToken ? { continuationToken } : {}),
  });
  const body = page.instances.map((status) => toStatusBody(deps.client.forHttp(status)));
  return json(200, body, { [CONTINUATION_HEADER]: page.continuationToken ?? '' });
}

/** Like Durable Functions, a purge by filter needs a lower bound, so a bare DELETE cannot empty the store. */
async function purgeByFilter({ deps, query }: ManagementRequest): Promise<Response> {
  const createdTimeFrom = query.date('createdTimeFrom');
  if (!createdTimeFrom) throw new ValidationError('createdTimeFrom', 'is required to purge by filter');
  const createdTimeTo = query.date('createdTimeTo');
  const runtimeStatus = parseStatuses(query);
  // Only statuses Perdure never has (Canceled) were named: nothing matches.
  if (runtimeStatus?.length === 0) return json(404, { instancesDeleted: 0 });
  const { instancesDeleted } = await deps.client.purgeInstances({
    createdTimeFrom,
    ...(createdTimeTo ? { createdTimeTo } : {}),
    ...(runtimeStatus ? { runtimeStatus } : {}),
  });
  return json(instancesDeleted === 0 ? 404 : 200, { instancesDeleted });
}

/**
 * Perdure refuses to purge a live instance (410), where Durable Functions purges it without a check.
 * `?recursive=true` (Perdure's; Durable Functions' route has none) purges its finished sub-orchestrations too.
 */
async function purgeInstance({ deps, segments, query }: ManagementRequest): Promise<Response> {
  return json(200, await deps.client.purgeInstanceHistory(segments[1]!, recursiveOf(query)));
}

async function raiseEvent({ c, deps, segments }: ManagementRequest): Promise<Response> {
  const data = await readJsonBody(c.req.raw, deps.maxBodyBytes);
  // An Idempotency-Key makes a retried raise a no-op that answers 202 again.
  const eventId = c.req.header('idempotency-key');
  await deps.client.raiseEvent(segments[1]!, segments[3]!, data, eventId === undefined ? {} : { eventId });
  return accepted();
}

async function control({ deps, segments, query }: ManagementRequest, operation: 'terminate' | 'suspend' | 'resume'): Promise<Response> {
  if (operation === 'terminate') await deps.client.terminate(segments[1]!, { reason: query.get('reason'), ...recursiveOf(query) });
  else await deps.client[operation](segments[1]!, query.get('reason'));
  return accepted();
}

/**
 * Perdure's `recursive` on terminate (default true) and purge (default false); Durable Functions' routes have
 * none. Unlike DF's booleans, a value that does not parse is a 400: taking the default would terminate (or
 * keep) a whole tree against the caller's intent.
 */
function recursiveOf(query: ManagementRequest['query']): { recursive?: boolean } {
  const value = query.single('recursive')?.toLowerCase();
  if (value === undefined) return {};
  if (value !== 'true' && value !== 'false') throw new ValidationError('recursive', 'must be true or false');
  return { recursive: value === 'true' };
}

/**
 * Durable Functions answers 410 for a Completed, Terminated or Canceled
 * instance, and a 500 (an InvalidOperationException from
 * DurableClient.RewindAsync) for a live one, which is a conflict: 409 here.
 */
async function rewind({ deps, segments, query }: ManagementRequest): Promise<Response> {
  try {
    await deps.client.rewind(segments[1]!, query.get('reason'));
  } catch (error) {
    if (error instanceof InvalidInstanceStateError && isLiveStatus(error.runtimeStatus)) {
      return json(409, {
        message: `Cannot rewind instance '${error.instanceId}': it is ${error.runtimeStatus}; only a Failed instance can be rewound.`,
        instanceId: error.instanceId,
        runtimeStatus: error.runtimeStatus,
      });
    }
    throw error;
  }
  return accepted();
}

/** Durable Functions answers these with an empty 202. */
function accepted(): Response {
  return new Response(null, { status: 202, headers: { 'content-length': '0' } });
}
