/**
 * @module http/management-routes
 * The Durable Functions HTTP management API under
 * `/runtime/webhooks/durabletask/`, with its shapes and status codes.
 *
 * What must hold:
 * - Every route needs the system key or the master key once any key is
 *   configured; without keys, the browser checks of http/browser-guard.
 * - Bodies are JSON (http/body): 415 for another media type or an encoding.
 * - Routes only translate HTTP to DurableClient calls; validation and the
 *   atomic start-if-absent live in the client and the store, and typed
 *   errors become status codes in one place (http/errors).
 */
import { Hono, type Context } from 'hono';
import type { DurableClient } from '../client/client.ts';
import { MANAGEMENT_BASE_PATH } from '../client/http-management.ts';
import type { ResolvedKeys } from '../runtime/keys.ts';
import { requireKey } from './auth.ts';
import { jsonBodiesOnly, readJsonBody } from './body.ts';
import { json } from './errors.ts';
import {
  CONTINUATION_HEADER,
  parseBool,
  parseListFilter,
  parsePurgeFilter,
  parseReason,
  statusCode,
  toStatusBody,
} from './management-query.ts';

export interface ManagementDeps {
  readonly client: DurableClient;
  readonly keys: ResolvedKeys;
  readonly maxBodyBytes: number;
}

export { MANAGEMENT_BASE_PATH };

const CONTROL_OPERATIONS = ['terminate', 'suspend', 'resume', 'rewind'] as const;
type ControlOperation = (typeof CONTROL_OPERATIONS)[number];

export function managementRoutes(deps: ManagementDeps): Hono {
  const { client } = deps;
  const routes = new Hono({ strict: false });
  routes.use('*', requireKey(deps.keys, 'management'));
  routes.use('*', jsonBodiesOnly());

  routes.get('/instances', (c) => listInstances(c, client));
  routes.delete('/instances', async (c) => {
    const { instancesDeleted } = await client.purgeInstances(parsePurgeFilter(query(c)));
    return json(instancesDeleted === 0 ? 404 : 200, { instancesDeleted });
  });
  routes.get('/instances/:instanceId', (c) => getInstance(c, client));
  routes.delete('/instances/:instanceId', async (c) => json(200, await client.purgeInstanceHistory(c.req.param('instanceId'))));
  routes.post('/instances/:instanceId/raiseEvent/:eventName', async (c) => {
    const data = await readJsonBody(c.req.raw, deps.maxBodyBytes);
    // An Idempotency-Key makes a retried raise a no-op that answers 202 again.
    const eventId = c.req.header('idempotency-key');
    await client.raiseEvent(c.req.param('instanceId'), c.req.param('eventName'), data, eventId === undefined ? {} : { eventId });
    return accepted();
  });
  routes.post('/instances/:instanceId/restart', async (c) => {
    const newInstanceId = parseBool(query(c), 'restartWithNewInstanceId', true);
    const started = await client.restart(c.req.param('instanceId'), { newInstanceId });
    // The caller already holds a management key: its check-status URLs may carry one, as Durable Functions' do.
    return client.createCheckStatusResponse(c.req.raw, started.instanceId, { includeManagementKey: true });
  });
  routes.post('/instances/:instanceId/:operation', async (c) => {
    const operation = c.req.param('operation');
    if (!isControlOperation(operation)) return c.notFound();
    await client[operation](c.req.param('instanceId'), parseReason(query(c)));
    return accepted();
  });
  routes.post('/orchestrators/:functionName/:instanceId?', async (c) => {
    const input = await readJsonBody(c.req.raw, deps.maxBodyBytes);
    const instanceId = c.req.param('instanceId');
    const started = await client.startNew(c.req.param('functionName'), {
      input,
      ...(instanceId === undefined ? {} : { instanceId }),
    });
    return client.createCheckStatusResponse(c.req.raw, started.instanceId, { includeManagementKey: true });
  });
  return routes;
}

async function getInstance(c: Context, client: DurableClient): Promise<Response> {
  const q = query(c);
  const status = await client.getStatus(c.req.param('instanceId') ?? '', {
    showHistory: parseBool(q, 'showHistory', false),
    showHistoryOutput: parseBool(q, 'showHistoryOutput', false),
    showInput: parseBool(q, 'showInput', true),
  });
  if (!status) return json(404, { message: `No instance with ID '${c.req.param('instanceId')}' was found.` });
  return json(statusCode(status, parseBool(q, 'returnInternalServerErrorOnFailure', false)), toStatusBody(client.forHttp(status)));
}

async function listInstances(c: Context, client: DurableClient): Promise<Response> {
  const filter = parseListFilter(query(c), c.req.header(CONTINUATION_HEADER));
  const page = await client.listInstances(filter);
  const headers: Record<string, string> = page.continuationToken ? { [CONTINUATION_HEADER]: page.continuationToken } : {};
  return json(
    200,
    page.instances.map((status) => toStatusBody(client.forHttp(status))),
    headers,
  );
}

/** Durable Functions answers these with an empty 202. */
function accepted(): Response {
  return new Response(null, { status: 202, headers: { 'content-length': '0' } });
}

function query(c: Context): URLSearchParams {
  return new URL(c.req.url).searchParams;
}

function isControlOperation(value: string | undefined): value is ControlOperation {
  return (CONTROL_OPERATIONS as readonly (string | undefined)[]).includes(value);
}
