/**
 * @module http/app-routes
 * The app's own HTTP triggers, served under `/api/` like Azure Functions.
 * Azure-style route templates (`orchestrators/{functionName}/{id?}`,
 * `{n:int}`, `{*rest}`) become Hono routes.
 *
 * What must hold:
 * - A handler receives a Request whose body has already been read within
 *   the size limit, so no trigger can be made to buffer an unbounded body.
 * - `authLevel: 'function'` triggers need a function key or the master key,
 *   `admin` ones the master key, anonymous ones none (http/auth).
 * - Without keys, a body sent to a protected (non-anonymous) trigger must be
 *   declared JSON, or it is 415: text/plain and forms are what any web page
 *   can send to a local host without asking. A body declared as JSON must
 *   be valid UTF-8, on every trigger: 400.
 * - When two templates match one URL, the one with fewer parameters wins,
 *   as a literal segment beats a parameter in Azure Functions.
 */
import { Hono, type Context } from 'hono';
import { ConfigurationError } from '../model/errors.ts';
import type { HttpTriggerDefinition } from '../runtime/app.ts';
import type { DurableClient } from '../client/client.ts';
import type { Logger } from '../runtime/logger.ts';
import { isKeyless, type ResolvedKeys } from '../runtime/keys.ts';
import { isAuthorized, unauthorized } from './auth.ts';
import { assertJsonContentType, assertUtf8, declaresBody, isJsonMediaType, readBodyBytes } from './body.ts';
import { crossSiteCheck } from './browser-guard.ts';
import { APP_RESPONSE_FLAG } from './security-headers.ts';
import { json } from './errors.ts';

export const APP_BASE_PATH = '/api';

/**
 * The base path for a route prefix as host.json's `extensions.http.routePrefix`
 * writes it: `api` (the default) gives `/api`, an empty prefix gives the root.
 */
export function appBasePath(routePrefix: string | undefined): string {
  if (routePrefix === undefined) return APP_BASE_PATH;
  const trimmed = routePrefix.replace(/^\/+|\/+$/g, '');
  if (/[{}?#\\]/.test(trimmed)) throw new ConfigurationError(`Unsupported HTTP route prefix '${routePrefix}'.`);
  return trimmed === '' ? '' : `/${trimmed}`;
}

export interface AppRouteDeps {
  readonly triggers: readonly HttpTriggerDefinition[];
  readonly client: DurableClient;
  readonly logger: Logger;
  readonly keys: ResolvedKeys;
  readonly maxBodyBytes: number;
  /** Host names besides loopback ones that count as this server (http/browser-guard). */
  readonly allowedHosts: readonly string[];
}

const CONSTRAINTS: Record<string, string> = {
  int: '-?[0-9]+',
  long: '-?[0-9]+',
  alpha: '[A-Za-z]+',
  bool: '(?:true|false|True|False)',
  guid: '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}',
};

/** `orchestrators/{name}/{id?}` → `/orchestrators/:name/:id?`. */
export function toHonoPath(route: string): string {
  const segments = route.replace(/^\/+|\/+$/g, '').split('/');
  return '/' + segments.map((segment) => convertSegment(segment, route)).join('/');
}

function convertSegment(segment: string, route: string): string {
  const match = /^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?(\?)?\}$/.exec(segment);
  if (!match) {
    if (/[{}:]/.test(segment)) throw new ConfigurationError(`Unsupported HTTP route template '${route}': segment '${segment}'.`);
    return segment;
  }
  const [, catchAll, name, constraint, optional] = match;
  if (catchAll) return `:${name}{.+}`;
  if (constraint === undefined) return `:${name}${optional ?? ''}`;
  const pattern = CONSTRAINTS[constraint];
  if (!pattern)
    throw new ConfigurationError(
      `Unsupported route constraint '${constraint}' in '${route}' (use ${Object.keys(CONSTRAINTS).join(', ')}).`,
    );
  return `:${name}{${pattern}}${optional ?? ''}`;
}

/** The absolute URL shown at startup, with the template left readable. */
export function triggerUrl(origin: string, trigger: HttpTriggerDefinition, basePath: string = APP_BASE_PATH): string {
  return `${origin}${basePath}/${trigger.route.replace(/^\/+/, '')}`;
}

export function appRoutes(deps: AppRouteDeps): Hono {
  const routes = new Hono({ strict: false });
  const ordered = [...deps.triggers].sort((a, b) => paramCount(a.route) - paramCount(b.route));
  const keyless = isKeyless(deps.keys);
  const crossSite = crossSiteCheck({ allowedHosts: deps.allowedHosts });
  for (const trigger of ordered) {
    const path = toHonoPath(trigger.route);
    // Anonymous triggers are public by declaration; the others rely on the browser checks while there are no keys.
    if (keyless && trigger.authLevel !== 'anonymous') routes.on([...trigger.methods], path, crossSite);
    routes.on([...trigger.methods], path, (c) => invoke(trigger, c, deps, keyless));
  }
  return routes;
}

async function invoke(trigger: HttpTriggerDefinition, c: Context, deps: AppRouteDeps, keyless: boolean): Promise<Response> {
  if (!isAuthorized(c.req.raw, deps.keys, trigger.authLevel)) return unauthorized(trigger.authLevel);
  if (keyless && trigger.authLevel !== 'anonymous' && declaresBody(c.req.raw)) assertJsonContentType(c.req.raw);
  const request = await withBufferedBody(c.req.raw, deps.maxBodyBytes);
  const params = Object.fromEntries(Object.entries(c.req.param() as Record<string, string | undefined>).filter(([, v]) => v !== undefined));
  c.set(APP_RESPONSE_FLAG, true);
  const result = await trigger.handler(request, {
    functionName: trigger.name,
    params: params as Record<string, string>,
    client: deps.client,
    log: deps.logger,
  });
  return toResponse(result);
}

async function withBufferedBody(request: Request, maxBytes: number): Promise<Request> {
  if (request.method === 'GET' || request.method === 'HEAD' || hasNoBody(request)) return request;
  const body = await readBodyBytes(request, maxBytes);
  if (body.byteLength > 0 && isJsonMediaType(request.headers.get('content-type'))) assertUtf8(body);
  const headers = new Headers(request.headers);
  headers.delete('transfer-encoding');
  headers.set('content-length', String(body.byteLength));
  return new Request(request.url, { method: request.method, headers, body: body.byteLength === 0 ? null : body, signal: request.signal });
}

/**
 * HTTP/1.1 framing says there is no body: `Content-Length: 0` and no
 * `Transfer-Encoding`. Such a request passes as it is, since buffering an
 * empty body (a stream, a copied Request) costs more than the rest of a
 * small trigger's work.
 */
function hasNoBody(request: Request): boolean {
  return request.headers.get('content-length') === '0' && !request.headers.has('transfer-encoding');
}

/** A Response passes through; `undefined` is 204, a string is text, anything else JSON. */
function toResponse(result: unknown): Response {
  if (result instanceof Response) return result;
  if (result === undefined) return new Response(null, { status: 204 });
  if (typeof result === 'string') return new Response(result, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return json(200, result);
}

function paramCount(route: string): number {
  return (route.match(/\{/g) ?? []).length;
}
