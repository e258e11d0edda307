/**
 * @module http/auth
 * Host-key checks, as the Azure Functions host does them: the key comes in
 * `?code=` or the `x-functions-key` header.
 *
 * What must hold:
 * - With no key configured everything is open, which is only allowed on a
 *   loopback address (see `assertSafeBinding`).
 * - Keys are compared in constant time: both sides are hashed to a fixed
 *   length first, so neither content nor length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ConfigurationError } from '../model/errors.ts';
import { json } from './errors.ts';

export function keysMatch(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The key a request presents, if any. */
export function presentedKey(request: Request): string | undefined {
  const header = request.headers.get('x-functions-key');
  if (header) return header;
  return new URL(request.url).searchParams.get('code') ?? undefined;
}

export function isAuthorized(request: Request, hostKey: string | undefined): boolean {
  if (!hostKey) return true;
  const key = presentedKey(request);
  return key !== undefined && keysMatch(key, hostKey);
}

export function unauthorized(): Response {
  return json(401, { message: 'Unauthorized: pass the host key as ?code=<key> or in the x-functions-key header.' });
}

/** Middleware for routes that always need the key (the management API). */
export function requireHostKey(hostKey: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!isAuthorized(c.req.raw, hostKey)) return unauthorized();
    await next();
  };
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

export function isLoopback(address: string): boolean {
  return LOOPBACK.test(address.replace(/^\[|\]$/g, ''));
}

/** Anything reachable from another machine must be protected by a host key. */
export function assertSafeBinding(address: string, hostKey: string | undefined): void {
  if (isLoopback(address) || hostKey) return;
  throw new ConfigurationError(
    `Refusing to listen on ${address} without a host key: the management API would be open to the network. ` +
      'Set PERDURE_HOST_KEY (or hostKey in perdure.config.ts), or listen on 127.0.0.1.',
  );
}
