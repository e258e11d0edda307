/**
 * @module http/browser-guard
 * What keeps a web page the developer happens to visit from driving a
 * keyless (loopback) host: without keys, being able to reach the port is
 * the only credential, and a browser can reach it on the page's behalf.
 *
 * What must hold:
 * - `Host` must name this server: a loopback name or one of `allowedHosts`
 *   (the bound name). Anything else is 421, so a DNS-rebinding page can
 *   neither read answers nor get its host name reflected into `Location`
 *   or check-status URLs. Checked on every route when keyless, and when
 *   `allowedHosts` is configured explicitly.
 * - A state-changing request (anything but GET, HEAD, OPTIONS) to a
 *   protected route (the management API, non-anonymous triggers) that a
 *   browser marks as cross-site is 403: an `Origin` that is not this
 *   server's host (or is `null`), or `Sec-Fetch-Site: cross-site`.
 * - Clients that are not browsers send neither header and pass.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { isLoopback } from './auth.ts';
import { json } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface BrowserGuardOptions {
  /** Host names (without port) this server answers for besides the loopback names. */
  readonly allowedHosts: readonly string[];
}

export function isAllowedHost(hostname: string, allowed: readonly string[]): boolean {
  const name = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  return isLoopback(name) || allowed.some((host) => host.toLowerCase().replace(/^\[|\]$/g, '') === name);
}

/** 421 for a request whose Host names another server. */
export function hostCheck(options: BrowserGuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const host = requestHostname(c);
    if (host === undefined || !isAllowedHost(host, options.allowedHosts)) {
      return json(421, { message: 'Misdirected request: the Host header does not name this server.', field: 'Host' });
    }
    await next();
  };
}

/** 403 for a cross-site, state-changing browser request. */
export function crossSiteCheck(options: BrowserGuardOptions): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && isCrossSite(c.req.raw, options.allowedHosts)) {
      return json(403, {
        message: 'Forbidden: a cross-site browser request cannot change state on a host without keys.',
        field: 'Origin',
      });
    }
    await next();
  };
}

export function isCrossSite(request: Request, allowedHosts: readonly string[]): boolean {
  if (request.headers.get('sec-fetch-site') === 'cross-site') return true;
  const origin = request.headers.get('origin');
  if (origin === null) return false;
  try {
    const url = new URL(origin);
    return !(url.protocol === 'http:' || url.protocol === 'https:') || !isAllowedHost(url.hostname, allowedHosts);
  } catch {
    return true; // `null` and anything unparsable: an opaque origin, which a browser sends for sandboxed and file pages
  }
}

/** The Host header's name (without port); Node's HTTP server has already rejected a missing one on HTTP/1.1. */
function requestHostname(c: Context): string | undefined {
  const header = c.req.header('host');
  if (header === undefined) return new URL(c.req.url).hostname;
  try {
    return new URL(`http://${header}`).hostname;
  } catch {
    return undefined;
  }
}
