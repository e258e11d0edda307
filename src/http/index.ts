/**
 * @module perdure/http
 * The HTTP layer of a host: the app's HTTP triggers under `/api/` and the
 * Durable Functions-style management API under `/runtime/webhooks/durabletask/`.
 * Use it as a standard fetch handler (`(request: Request) => Promise<Response>`,
 * for any server or runtime that speaks the Fetch API), as a Node
 * `http.createServer` listener, or let `serveHttp` listen for you.
 *
 * @example
 * import { app, createHost } from 'perdure';
 * import { createFetchHandler, serveHttp } from 'perdure/http';
 * const host = await createHost({ app, store: 'sqlite:./.perdure/perdure.db' });
 * const server = await serveHttp({ fetch: createFetchHandler(host), port: 7071 });
 */
export { createFetchHandler, createHttpApp, type FetchHandler, type HttpAppOptions } from './create-http-app.ts';
export { createNodeListener, type NodeListener } from './node-listener.ts';
export { serveHttp, type HttpServer, type ServeOptions } from './serve.ts';
