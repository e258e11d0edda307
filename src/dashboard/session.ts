/**
 * @module dashboard/session
 * The dashboard's login session: after the user gives the host key once,
 * the browser keeps a signed session in an HttpOnly, SameSite=Strict cookie,
 * and every request that changes state also carries a CSRF token derived
 * from that session.
 *
 * What must hold:
 * - The cookie never holds a key: it is `v1.<issued>.<nonce>.<mac>`, the
 *   mac an HMAC-SHA256 under a key that opens the management API. So a
 *   session is valid only while the key that signed it is still configured
 *   (rotating the keys logs everyone out), and it expires after `maxAgeMs`.
 * - The CSRF token is an HMAC of the cookie under the same key: a page of
 *   another site can neither read it nor compute it, and SameSite=Strict
 *   keeps the cookie off its requests anyway.
 * - Every comparison is constant-time, against every accepted key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'perdure_session';
export const CSRF_HEADER = 'x-perdure-csrf';
/** A session lasts twelve hours: a working day, then the key is asked for again. */
export const DEFAULT_SESSION_MS = 12 * 60 * 60 * 1000;

export interface SessionKeys {
  /** The keys that open the management API (system and master key); the first signs new sessions. */
  readonly keys: readonly string[];
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/** A new session cookie value, signed with the first key. */
export function issueSession(options: SessionKeys): string {
  const signer = options.keys[0];
  if (signer === undefined) throw new Error('A dashboard session needs a key to sign it.');
  const body = `v1.${(options.now ?? Date.now)()}.${randomBytes(16).toString('base64url')}`;
  return `${body}.${mac(signer, `session.${body}`)}`;
}

/** The key that signed this cookie value, if it is a live session signed by an accepted key. */
export function verifySession(value: string | undefined, options: SessionKeys): string | undefined {
  if (value === undefined) return undefined;
  const parts = value.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') return undefined;
  const issued = Number(parts[1]);
  const now = (options.now ?? Date.now)();
  if (!Number.isSafeInteger(issued) || issued > now || now - issued > (options.maxAgeMs ?? DEFAULT_SESSION_MS)) return undefined;
  const body = parts.slice(0, 3).join('.');
  let signer: string | undefined;
  for (const key of options.keys) {
    if (sameText(mac(key, `session.${body}`), parts[3]!) && signer === undefined) signer = key;
  }
  return signer;
}

/** The CSRF token of a session, as the page must send it back in the x-perdure-csrf header. */
export function csrfToken(session: string, signer: string): string {
  return mac(signer, `csrf.${session}`);
}

export function checkCsrf(session: string, signer: string, presented: string | null): boolean {
  return presented !== null && sameText(csrfToken(session, signer), presented);
}

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie header for a session (or, with `undefined`, one that deletes it). */
export function sessionCookie(value: string | undefined, options: { secure: boolean; maxAgeMs?: number }): string {
  const maxAge = value === undefined ? 0 : Math.floor((options.maxAgeMs ?? DEFAULT_SESSION_MS) / 1000);
  const secure = options.secure ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value ?? ''}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
}

function mac(key: string, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** Compares two texts in constant time (by their HMAC-sized digests, so length does not leak). */
function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHmac('sha256', 'compare').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}
