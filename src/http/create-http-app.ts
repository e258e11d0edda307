/**
 * @module http/create-http-app
 * Builds the Hono app for a host: the app's triggers under `/api/`, the
 * management API under `/runtime/webhooks/durabletask/`, the web dashboard
 * at `/` and `/dashboard` (src/dashboard, the only place it is wired), and JSON answers
 * for unknown routes and errors, behind the security headers and (without
 * keys) the browser checks.
 *
 * What must hold:
 * - Every response, including 404 and 500, is JSON with a `message`, except
 *   the dashboard's pages and files.
 * - The keys are the host's own unless given here, so the key that
 *   check-status URLs carry is always one this app accepts.
 * - A request whose client went away is logged at debug level, never as an
 *   error: aborted uploads are normal traffic, not bugs.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { DASHBOARD_PATH, createDashboard } from '../dashboard/dashboard.ts';
import type { Host } from '../runtime/host.ts';
import { NO_KEYS, isKeyless, resolveKeys, type HostKeys, type ResolvedKeys } from '../runtime/keys.ts';
import { consoleLogger, type Logger } from '../runtime/logger.ts';
import { appBasePath, appRoutes } from './app-routes.ts';
import { DEFAULT_MAX_BODY_BYTES } from './body.ts';
import { crossSiteCheck, hostCheck } from './browser-guard.ts';
import { errorResponse, json } from './errors.ts';
import { MANAGEMENT_BASE_PATH, managementRoutes } from './management-routes.ts';
import { metricsRoute, type MetricsSource } from './metrics-route.ts';
import { securityHeaders } from './security-headers.ts';

/** A standard Fetch API handler, as Deno, Bun, Cloudflare Workers and most Node adapters take. */
export type FetchHandler = (request: Request) => Promise<Response>;

export interface HttpAppOptions {
  /** The master, system and function keys; defaults to the host's (`createHost({ keys })`). */
  readonly keys?: HostKeys;
  /** The master key under its old name. */
  readonly hostKey?: string;
  /**
   * Host names (no port) this server answers for besides loopback names,
   * e.g. the bound name or a LAN name. Without keys, a request for any other
   * `Host` is 421; with keys, only when this is set.
   */
  readonly allowedHosts?: readonly string[];
  /** Largest request body accepted, in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
  /** Where the app's triggers are served, as host.json's `extensions.http.routePrefix` (default `api`; empty: the root). */
  readonly routePrefix?: string;
  /** Serve the web dashboard at `/` and `/dashboard` (default true). */
  readonly dashboard?: boolean;
}

type HttpHost = Pick<Host, 'app' | 'client'> & {
  readonly keys?: ResolvedKeys;
  /** Served at `/metrics` (behind the system or master key when there are keys). */
  readonly metrics?: MetricsSource;
  readonly logger?: Logger;
};

/**
 * @example
 * const host = await createHost({ app, store: 'sqlite:./.perdure/perdure.db' });
 * const http = createHttpApp(host);
 * const response = await http.request('/runtime/webhooks/durabletask/instances');
 */
export function createHttpApp(host: HttpHost, options: HttpAppOptions = {}): Hono {
  const keys = options.keys !== undefined || options.hostKey ? resolveKeys(options.keys, options.hostKey) : (host.keys ?? NO_KEYS);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const logger = options.logger ?? host.logger ?? consoleLogger;
  const allowedHosts = options.allowedHosts ?? [];
  const http = new Hono({ strict: false });
  // First, so that every answer, a refusal by a later check included, carries the headers.
  http.use('*', securityHeaders());
  if (isKeyless(keys) || options.allowedHosts !== undefined) http.use('*', hostCheck({ allowedHosts }));
  if (isKeyless(keys)) http.use(`${MANAGEMENT_BASE_PATH}/*`, crossSiteCheck({ allowedHosts }));
  const dashboard = options.dashboard === false ? undefined : createDashboard({ keys, allowedHosts });
  const orchestrations = () => host.app.functions.filter((f) => f.kind === 'orchestration').map((f) => f.name);
  // Management first: with an empty route prefix, an app route such as `{*path}` must not shadow it.
  http.route(
    MANAGEMENT_BASE_PATH,
    managementRoutes({
      client: host.client,
      keys,
      maxBodyBytes,
      orchestrations,
      ...(dashboard ? { authorizeWithoutKey: dashboard.authorizeWithoutKey } : {}),
    }),
  );
  if (host.metrics) http.route('/metrics', metricsRoute(host.metrics, keys));
  if (dashboard) {
    // Before the triggers, for the same reason; a path the dashboard does not serve falls through to them.
    const serve: MiddlewareHandler = async (c, next) => {
      const response = await dashboard.handle(c.req.raw);
      if (response === undefined) return next();
      return response;
    };
    http.on(['GET', 'HEAD', 'POST'], ['/', DASHBOARD_PATH, `${DASHBOARD_PATH}/*`], serve);
  }
  const triggers = appRoutes({ triggers: host.app.httpTriggers, client: host.client, logger, keys, maxBodyBytes, allowedHosts });
  http.route(appBasePath(options.routePrefix) || '/', triggers);
  http.notFound((c) => json(404, { message: `No route matches ${c.req.method} ${new URL(c.req.url).pathname}.` }));
  http.onError((error, c) => {
    if (c.req.raw.signal.aborted || (error as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET') {
      logger.debug?.(`[perdure] client went away during ${c.req.method} ${new URL(c.req.url).pathname}`);
      return json(499, { message: 'Client closed the request' });
    }
    return errorResponse(error, logger);
  });
  return http;
}

/**
 * The host's HTTP layer as a standard fetch handler.
 *
 * @example
 * const fetch = createFetchHandler(host);
 * const response = await fetch(new Request('http://127.0.0.1/runtime/webhooks/durabletask/instances'));
 */
export function createFetchHandler(host: HttpHost, options: HttpAppOptions = {}): FetchHandler {
  const http = createHttpApp(host, options);
  return async (request) => http.fetch(request);
}
