/**
 * @module http/serve
 * Listening and closing: the Node HTTP server around a fetch handler.
 *
 * What must hold:
 * - Only loopback addresses may be bound without a host key.
 * - `close()` stops accepting at once, lets in-flight requests finish within
 *   the grace period, then drops whatever connections remain; it can be
 *   called more than once.
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertSafeBinding } from './auth.ts';
import type { FetchHandler } from './create-http-app.ts';

export interface ServeOptions {
  /** What answers requests: `createFetchHandler(host)`, or a Hono app's `fetch`. */
  readonly fetch: FetchHandler | ((request: Request) => Response | Promise<Response>);
  /** 0 picks a free port (default 7071). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly hostname?: string;
  /** Must be set to bind anything but loopback. */
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
  assertSafeBinding(hostname, options.hostKey || undefined);
  const server = await listen(options, hostname);
  const { port } = server.address() as AddressInfo;
  const shown = hostname.includes(':') ? `[${hostname}]` : hostname;
  let closing: Promise<void> | undefined;
  const close = (graceMs = 10_000) => (closing ??= closeServer(server, graceMs));
  return { url: `http://${shown}:${port}`, port, server, close, [Symbol.asyncDispose]: () => close() };
}

function listen(options: ServeOptions, hostname: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: (request: Request) => options.fetch(request), port: options.port ?? 7071, hostname }) as Server;
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
