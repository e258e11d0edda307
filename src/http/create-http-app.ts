/**
 * @module http/create-http-app
 * Builds the Hono app for a host: the app's triggers under `/api/`, the
 * management API under `/runtime/webhooks/durabletask/`, and JSON answers
 * for unknown routes and errors.
 *
 * What must hold:
 * - Every response, including 404 and 500, is JSON with a `message`.
 * - The host key given here is the one the host's client puts in
 *   check-status URLs; pass the same key to both.
 */
import { Hono } from 'hono';
import type { Host } from '../runtime/host.ts';
import { consoleLogger, type Logger } from '../runtime/logger.ts';
import { APP_BASE_PATH, appRoutes } from './app-routes.ts';
import { DEFAULT_MAX_BODY_BYTES } from './body.ts';
import { errorResponse, json } from './errors.ts';
import { MANAGEMENT_BASE_PATH, managementRoutes } from './management-routes.ts';

/** A standard Fetch API handler, as Deno, Bun, Cloudflare Workers and most Node adapters take. */
export type FetchHandler = (request: Request) => Promise<Response>;

export interface HttpAppOptions {
  /** Required for management routes and `authLevel: 'function'` triggers when set. */
  readonly hostKey?: string;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
}

/**
 * @example
 * const host = await createHost({ app, store: 'sqlite:./.perdure/perdure.db' });
 * const http = createHttpApp(host);
 * const response = await http.request('/runtime/webhooks/durabletask/instances');
 */
export function createHttpApp(host: Pick<Host, 'app' | 'client'>, options: HttpAppOptions = {}): Hono {
  const hostKey = options.hostKey || undefined;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const logger = options.logger ?? consoleLogger;
  const http = new Hono({ strict: false });
  http.route(APP_BASE_PATH, appRoutes({ triggers: host.app.httpTriggers, client: host.client, logger, hostKey, maxBodyBytes }));
  http.route(MANAGEMENT_BASE_PATH, managementRoutes({ client: host.client, hostKey, maxBodyBytes }));
  http.notFound((c) => json(404, { message: `No route matches ${c.req.method} ${new URL(c.req.url).pathname}.` }));
  http.onError((error) => errorResponse(error, logger));
  return http;
}

/**
 * The host's HTTP layer as a standard fetch handler.
 *
 * @example
 * const fetch = createFetchHandler(host);
 * const response = await fetch(new Request('http://127.0.0.1/runtime/webhooks/durabletask/instances'));
 */
export function createFetchHandler(host: Pick<Host, 'app' | 'client'>, options: HttpAppOptions = {}): FetchHandler {
  const http = createHttpApp(host, options);
  return async (request) => http.fetch(request);
}
