/**
 * @module http/security-headers
 * The response headers of a local admin surface, in one middleware so the
 * management API, the host's own answers and (later) a dashboard share it.
 *
 * What must hold:
 * - `strict` (JSON answers): nothing in a response may be sniffed, framed,
 *   run as script, read cross-origin or leak a URL (with a key in it) as a
 *   referrer.
 * - `trigger` (the app's own responses): only headers that cannot break a
 *   page the app serves; a header the handler set itself is never replaced.
 */
import type { MiddlewareHandler } from 'hono';

export type SecurityProfile = 'strict' | 'trigger';

const TRIGGER_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const STRICT_HEADERS: Readonly<Record<string, string>> = {
  ...TRIGGER_HEADERS,
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
};

export function securityHeadersFor(profile: SecurityProfile): Readonly<Record<string, string>> {
  return profile === 'strict' ? STRICT_HEADERS : TRIGGER_HEADERS;
}

/** The context flag a route sets when the answer is the app's own (a trigger's), so only the `trigger` set applies. */
export const APP_RESPONSE_FLAG = 'perdure.appResponse';

/**
 * Adds the headers after the route has answered: `strict` unless the route
 * flagged the answer as the app's own (`c.set(APP_RESPONSE_FLAG, true)`).
 * Registered first, so refusals by later checks carry the headers too.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const profile: SecurityProfile = c.get(APP_RESPONSE_FLAG) === true ? 'trigger' : 'strict';
    const secured = withHeaders(c.res, securityHeadersFor(profile));
    if (secured !== c.res) c.res = secured;
  };
}

/** Adds the headers a response lacks. A Response from fetch() has immutable headers, so it is copied first. */
export function withHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  const missing = Object.entries(headers).filter(([name]) => !response.headers.has(name));
  if (missing.length === 0) return response;
  let target = response;
  try {
    for (const [name, value] of missing) target.headers.set(name, value);
  } catch {
    target = new Response(response.body, response);
    for (const [name, value] of missing) target.headers.set(name, value);
  }
  return target;
}
