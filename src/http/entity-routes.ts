/**
 * @module http/entity-routes
 * Durable Functions' entity routes under the management API:
 * - `GET entities/{name}/{key}`: 200 with the entity's state, 404 if it has none;
 * - `POST entities/{name}/{key}?op=…` (and `DELETE`, operation `delete`):
 *   signals the operation with the JSON body as input, 202;
 * - the empty key, as Durable Functions' HttpApiHandler has it: `GET
 *   entities/{name}/$` reads it, `POST`/`DELETE entities/{name}` signals it
 *   (a `$` in a POST is the key `$`);
 * - `GET entities/{name}?top=&fetchState=&lastOperationTimeFrom=&lastOperationTimeTo=`:
 *   a page of entities (last operation within the bounds, both inclusive),
 *   the next page's token in `x-ms-continuation-token` (always sent, empty
 *   on the last). A date that is not ISO 8601 is a 400.
 *
 * What must hold: bodies are JSON like every management body (415
 * otherwise); where Durable Functions passes any other text as a string
 * input, Perdure refuses it, so a browser's cross-site form post can never
 * signal an entity. Bad names and keys are 400s from the client's checks.
 */
import { MAX_PAGE_SIZE } from '../client/filters.ts';
import { ValidationError } from '../model/errors.ts';
import { readJsonBody } from './body.ts';
import { json } from './errors.ts';
import type { ManagementRequest } from './management-routes.ts';
import { CONTINUATION_HEADER, parseTop } from './management-query.ts';

type Handler = (request: ManagementRequest) => Promise<Response>;

/** Durable Functions' `EmptyEntityKeySymbol`: `GET entities/{name}/$` reads the entity whose key is empty. */
const EMPTY_KEY = '$';

/** The handler for `entities/…` segments and a method, or undefined (404). */
export function entityRoute(method: string, segments: readonly string[]): Handler | undefined {
  if (segments.length === 2 && method === 'GET') return listEntities;
  if (segments.length !== 2 && segments.length !== 3) return undefined;
  if (method === 'GET') return getEntity;
  if (method === 'POST' || method === 'DELETE') return signalEntity;
  return undefined;
}

async function getEntity({ deps, segments }: ManagementRequest): Promise<Response> {
  // As Durable Functions: `$` names the empty key when reading (only there).
  const key = segments[2] === EMPTY_KEY ? '' : segments[2]!;
  const response = await deps.client.readEntityState({ name: segments[1]!, key });
  if (!response.exists) return json(404, { message: `Entity '@${segments[1]!.toLowerCase()}@${key}' has no state.` });
  return json(200, response.state ?? null);
}

async function signalEntity({ c, deps, segments, query }: ManagementRequest): Promise<Response> {
  const op = c.req.method === 'DELETE' ? 'delete' : query.get('op');
  if (op === undefined || op === '') throw new ValidationError('op', 'is required: the operation to signal');
  const input = await readJsonBody(c.req.raw, deps.maxBodyBytes);
  await deps.client.signalEntity({ name: segments[1]!, key: segments[2] ?? '' }, op, input);
  return new Response(null, { status: 202, headers: { 'content-length': '0' } });
}

async function listEntities({ c, deps, segments, query }: ManagementRequest): Promise<Response> {
  const continuationToken = c.req.header(CONTINUATION_HEADER) || undefined;
  const fetchState = query.bool('fetchState', false);
  const lastOperationFrom = query.date('lastOperationTimeFrom');
  const lastOperationTo = query.date('lastOperationTimeTo');
  const page = await deps.client.listEntities({
    name: segments[1]!,
    pageSize: Math.min(parseTop(query), MAX_PAGE_SIZE),
    includeState: fetchState,
    ...(lastOperationFrom ? { lastOperationFrom } : {}),
    ...(lastOperationTo ? { lastOperationTo } : {}),
    ...(continuationToken ? { continuationToken } : {}),
  });
  const body = page.entities.map((entity) => ({
    entityId: { name: entity.id.name, key: entity.id.key },
    lastOperationTime: entity.lastModifiedTime.toISOString(),
    ...(fetchState ? { state: entity.state ?? null } : {}),
  }));
  return json(200, body, { [CONTINUATION_HEADER]: page.continuationToken ?? '' });
}
