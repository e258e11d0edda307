/**
 * @module http/node-listener
 * A host's HTTP layer as a Node `(req, res)` listener, for an existing
 * `http.createServer`, Express or Fastify setup.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { FetchHandler } from './create-http-app.ts';

export type NodeListener = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * @example
 * import { createServer } from 'node:http';
 * createServer(createNodeListener(createFetchHandler(host))).listen(7071, '127.0.0.1');
 */
export function createNodeListener(fetch: FetchHandler): NodeListener {
  return getRequestListener((request) => fetch(request));
}
