/**
 * @module http/management-entities
 * Perdure's entity read routes, beside Durable Functions' `entities/…`
 * (http/entity-routes), for what DF's list and read leave out:
 * - `GET perdure/entities?name=&prefix=&top=&includeDeleted=`: a page of
 *   entities of every name (or one, with a key prefix), each with its last
 *   operation time, lock holder and queued requests; the next page's token
 *   in `x-ms-continuation-token` (always sent, empty on the last);
 * - `GET perdure/entities/{name}/{key}?maxStateChars=`: one entity, with its
 *   state when its pretty-printed JSON fits in `maxStateChars` (default
 *   65 536), else the first `maxStateChars` characters of that text and
 *   `stateTruncated: true`, so a page never has to hold a huge state. 404 when
 *   no instance holds the entity.
 *
 * What must hold: a bad name, key, prefix, size or token is a 400 naming
 * the parameter (the client's checks, or here); never a 500.
 */
import type { EntityMetadata } from '../client/entity-client.ts';
import { MAX_PAGE_SIZE } from '../client/filters.ts';
import { entityInstanceId } from '../model/entity-id.ts';
import { ValidationError } from '../model/errors.ts';
import { json } from './errors.ts';
import type { ManagementRequest } from './management-routes.ts';
import { CONTINUATION_HEADER, parseTop, type ManagementQuery } from './management-query.ts';

type Handler = (request: ManagementRequest) => Promise<Response>;

export const DEFAULT_MAX_STATE_CHARS = 65_536;
const MAX_STATE_CHARS_LIMIT = 16_777_216;

/** The handler for `perdure/entities…` segments (GET only, checked by the caller), or undefined. */
export function entityExtensionRoute(segments: readonly string[]): Handler | undefined {
  if (segments.length === 2) return listEntities;
  if (segments.length === 4) return getEntity;
  return undefined;
}

async function listEntities({ c, deps, query }: ManagementRequest): Promise<Response> {
  const name = query.single('name');
  const prefix = query.single('prefix');
  const continuationToken = c.req.header(CONTINUATION_HEADER) || undefined;
  const page = await deps.client.listEntities({
    pageSize: Math.min(parseTop(query), MAX_PAGE_SIZE),
    includeDeleted: strictBool(query, 'includeDeleted'),
    ...(name === undefined ? {} : { name }),
    ...(prefix === undefined ? {} : { prefix }),
    ...(continuationToken ? { continuationToken } : {}),
  });
  return json(200, page.entities.map(describe), { [CONTINUATION_HEADER]: page.continuationToken ?? '' });
}

async function getEntity({ deps, segments, query }: ManagementRequest): Promise<Response> {
  const maxStateChars = parseMaxStateChars(query);
  const id = { name: segments[2]!, key: segments[3]! };
  const entity = await deps.client.getEntity(id, { includeState: true });
  if (entity === undefined) return json(404, { message: `No entity '${entityInstanceId(id)}' was found.` });
  return json(200, { ...describe(entity), ...stateFields(entity, maxStateChars) });
}

function describe(entity: EntityMetadata) {
  return {
    entityId: { name: entity.id.name, key: entity.id.key },
    instanceId: entityInstanceId(entity.id),
    exists: entity.exists,
    lastOperationTime: entity.lastModifiedTime.toISOString(),
    ...(entity.lockedBy === undefined ? {} : { lockedBy: entity.lockedBy }),
    backlogQueueSize: entity.backlogQueueSize,
  };
}

/** The state as a value when its pretty JSON fits, else the start of that text and its full length. */
function stateFields(entity: EntityMetadata, maxStateChars: number): Record<string, unknown> {
  if (!entity.exists) return {};
  const text = JSON.stringify(entity.state ?? null, null, 2);
  if (text.length <= maxStateChars) return { state: entity.state ?? null, stateLength: text.length };
  return { stateTruncated: true, statePreview: text.slice(0, maxStateChars), stateLength: text.length };
}

function parseMaxStateChars(query: ManagementQuery): number {
  const value = query.single('maxStateChars');
  if (value === undefined) return DEFAULT_MAX_STATE_CHARS;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_STATE_CHARS_LIMIT)) {
    throw new ValidationError('maxStateChars', `must be an integer from 1 to ${MAX_STATE_CHARS_LIMIT} (got '${value}')`);
  }
  return n;
}

/** Unlike DF's lenient booleans: a value that does not parse is refused, as it would change what is listed. */
function strictBool(query: ManagementQuery, name: string): boolean {
  const value = query.single(name)?.toLowerCase();
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw new ValidationError(name, 'must be true or false');
  return value === 'true';
}
