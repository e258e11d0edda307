/**
 * @module http/serve
 * Listening and closing: the Node HTTP server around a fetch handler.
 *
 * What must hold:
 * - Only loopback addresses may be bound without keys.
 * - The server has limits suited to an API: a cap on open connections
 *   (past it, Node drops new ones at once), a deadline for the request
 *   headers and one for the whole request, so a slow or idle client cannot
 *   hold a socket for ever. Out-of-range values are a ValidationError.
 * - `close()` stops accepting at once, lets in-flight requests finish within
 *   the grace period, then drops whatever connections remain; it can be
 *   called more than once.
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '../model/errors.ts';
import { resolveKeys, type HostKeys } from '../runtime/keys.ts';
import { assertSafeBinding } from './auth.ts';
import type { FetchHandler } from './create-http-app.ts';

export interface ServerLimits {
  /** Open connections at most (default 1000); more are refused (closed at once) until some close. */
  readonly maxConnections?: number;
  /** Time to receive a whole request, headers and body (default 30 s). Does not limit how long the answer takes. */
  readonly requestTimeoutMs?: number;
  /** Time to receive the request headers (default 10 s); at most `requestTimeoutMs`. */
  readonly headersTimeoutMs?: number;
}

export const DEFAULT_SERVER_LIMITS = { maxConnections: 1000, requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 } as const;

export interface ServeOptions extends ServerLimits {
  /** What answers requests: `createFetchHandler(host)`, or a Hono app's `fetch`. */
  readonly fetch: FetchHandler | ((request: Request) => Response | Promise<Response>);
  /** 0 picks a free port (default 7071). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly hostname?: string;
  /** A key that closes the management API (master or system) must be set to bind anything but loopback. */
  readonly keys?: HostKeys;
  /** The master key under its old name. */
  readonly hostKey?: string;
}

export interface HttpServer extends AsyncDisposable {
  /** e.g. `http://127.0.0.1:7071` */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(graceMs?: number): Promise<void>;
}

export async function serveHttp(options: ServeOptions): Promise<HttpServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  assertSafeBinding(hostname, resolveKeys(options.keys, options.hostKey));
  const limits = validateServerLimits(options);
  const server = await listen(options, hostname, limits);
  server.maxConnections = limits.maxConnections;
  const { port } = server.address() as AddressInfo;
  const shown = hostname.includes(':') ? `[${hostname}]` : hostname;
  let closing: Promise<void> | undefined;
  const close = (graceMs = 10_000) => (closing ??= closeServer(server, graceMs));
  return { url: `http://${shown}:${port}`, port, server, close, [Symbol.asyncDispose]: () => close() };
}

const RANGES = {
  maxConnections: [1, 1_000_000],
  requestTimeoutMs: [1_000, 3_600_000],
  headersTimeoutMs: [1_000, 3_600_000],
} as const;

/** Every limit with its default, checked; `headersTimeoutMs` may not exceed `requestTimeoutMs` (Node's own rule). */
export function validateServerLimits(limits: ServerLimits): Required<ServerLimits> {
  const resolved = { ...DEFAULT_SERVER_LIMITS, ...definedOnly(limits) };
  for (const [key, [min, max]] of Object.entries(RANGES)) {
    const value = resolved[key as keyof typeof RANGES];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ValidationError(key, `must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
    }
  }
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    throw new ValidationError('headersTimeoutMs', `must not exceed requestTimeoutMs (${resolved.requestTimeoutMs})`);
  }
  return resolved;
}

function definedOnly(limits: ServerLimits): ServerLimits {
  const { maxConnections, requestTimeoutMs, headersTimeoutMs } = limits;
  return Object.fromEntries(Object.entries({ maxConnections, requestTimeoutMs, headersTimeoutMs }).filter(([, v]) => v !== undefined));
}

function listen(options: ServeOptions, hostname: string, limits: Required<ServerLimits>): Promise<Server> {
  const serverOptions = {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    // Node checks the two deadlines on this period (30 s by default), which would stretch a 10 s deadline to 40 s.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
  return new Promise((resolve, reject) => {
    const fetch = (request: Request) => options.fetch(request);
    const server = serve({ fetch, port: options.port ?? 7071, hostname, serverOptions }) as Server;
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    // Keep-alive connections with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
  });
}
