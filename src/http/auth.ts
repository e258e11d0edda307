/**
 * @module http/auth
 * Key checks, as the Azure Functions host does them: the key comes in
 * `?code=` or the `x-functions-key` header, and what a key opens depends on
 * its kind (runtime/keys): the master key everything, the system key the
 * management API, function keys the `authLevel: 'function'` triggers.
 *
 * What must hold:
 * - With no key configured everything is open, which is only allowed on a
 *   loopback address (see `assertSafeBinding`) and comes with the browser
 *   checks of http/browser-guard.
 * - Keys are compared in constant time: both sides are hashed to a fixed
 *   length first, so neither content nor length leaks through timing, and
 *   every accepted key is compared, so the position of a match does not leak.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ConfigurationError } from '../model/errors.ts';
import type { AuthLevel } from '../runtime/app.ts';
import { isKeyless, type ResolvedKeys } from '../runtime/keys.ts';
import { json } from './errors.ts';

/** What a route asks for: a trigger's auth level, or the management API (system or master key). */
export type KeyScope = AuthLevel | 'management';

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

/** The keys that open a scope; Azure Functions' rules (the master key opens all). */
export function acceptedKeys(keys: ResolvedKeys, scope: KeyScope): readonly string[] {
  const master = keys.masterKey === undefined ? [] : [keys.masterKey];
  switch (scope) {
    case 'anonymous':
      return [];
    case 'function':
      return [...master, ...keys.functionKeys];
    case 'admin':
      return master;
    case 'management':
      return keys.systemKey === undefined ? master : [...master, keys.systemKey];
  }
}

export function isAuthorized(request: Request, keys: ResolvedKeys, scope: KeyScope): boolean {
  if (scope === 'anonymous' || isKeyless(keys)) return true;
  const key = presentedKey(request);
  if (key === undefined) return false;
  let matched = false;
  for (const accepted of acceptedKeys(keys, scope)) matched = keysMatch(key, accepted) || matched;
  return matched;
}

const WHICH_KEY: Record<KeyScope, string> = {
  anonymous: '',
  function: 'a function key or the master key',
  admin: 'the master key',
  management: 'the system key or the master key',
};

export function unauthorized(scope: KeyScope): Response {
  return json(401, { message: `Unauthorized: pass ${WHICH_KEY[scope]} as ?code=<key> or in the x-functions-key header.` });
}

/**
 * Decides a request that presents no valid key: `'authorized'` lets it
 * through, a Response refuses it with that answer, `undefined` leaves the
 * usual 401. The dashboard's session cookie is checked this way.
 */
export type KeylessAuthorizer = (request: Request) => 'authorized' | Response | undefined;

/** Middleware for routes that always need a key of this scope (the management API). */
export function requireKey(keys: ResolvedKeys, scope: KeyScope, otherwise?: KeylessAuthorizer): MiddlewareHandler {
  return async (c, next) => {
    if (!isAuthorized(c.req.raw, keys, scope)) {
      const decision = otherwise?.(c.req.raw);
      if (decision === undefined) return unauthorized(scope);
      if (decision !== 'authorized') return decision;
    }
    await next();
  };
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

export function isLoopback(address: string): boolean {
  return LOOPBACK.test(address.replace(/^\[|\]$/g, '').replace(/\.$/, ''));
}

/** Anything reachable from another machine must be protected: the management API needs a key that closes it. */
export function assertSafeBinding(address: string, keys: ResolvedKeys): void {
  if (isLoopback(address) || !isKeyless(keys)) return;
  throw new ConfigurationError(
    `Refusing to listen on ${address} without keys: the management API would be open to the network. ` +
      'Set PERDURE_MASTER_KEY or PERDURE_SYSTEM_KEY (or masterKey/systemKey in perdure.config.ts), or listen on 127.0.0.1.',
  );
}
