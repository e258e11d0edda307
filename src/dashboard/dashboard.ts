/**
 * @module dashboard/dashboard
 * The web dashboard's server side: its pages, its static files and its
 * login session. It is a plain fetch handler (Request in, Response out),
 * mounted by http/create-http-app at `/` and `/dashboard`; the pages then
 * talk to the management API like any other client.
 *
 * What must hold:
 * - On a host with keys, nothing but the login form and the static files
 *   is served without a session, and the management API accepts a session
 *   instead of a key only with the session's CSRF token on every request
 *   that changes state (`authorizeWithoutKey`).
 * - A login is refused (403) when the browser marks it cross-site, so
 *   another site cannot sign the user in under its own key.
 * - On a keyless host there is no login: the management API's browser
 *   checks (same origin, JSON bodies) are what protects the actions.
 * - Pages and files carry the dashboard's CSP (pages.ts); http's security
 *   middleware adds the other headers, `cache-control: no-store` among them
 *   for everything but the hashed assets, which are immutable (assets.ts).
 */
import { acceptedKeys, keysMatch, type KeylessAuthorizer } from '../http/auth.ts';
import { isCrossSite } from '../http/browser-guard.ts';
import { json } from '../http/errors.ts';
import { isKeyless, type ResolvedKeys } from '../runtime/keys.ts';
import { dashboardAssets, type Asset } from './assets.ts';
import { DASHBOARD_CSP, loginPage, shellPage, type PageAssets } from './pages.ts';
import { CSRF_HEADER, SESSION_COOKIE, checkCsrf, csrfToken, issueSession, readCookie, sessionCookie, verifySession } from './session.ts';
import { readVendorLicence } from './vendor.ts';

export const DASHBOARD_PATH = '/dashboard';

export interface DashboardOptions {
  readonly keys: ResolvedKeys;
  /** Host names the server answers for besides loopback (as the HTTP app's `allowedHosts`). */
  readonly allowedHosts: readonly string[];
  readonly sessionMs?: number;
}

export interface Dashboard {
  /** Answers a request for `/` or under `/dashboard`, or undefined when it names nothing here. */
  handle(request: Request): Promise<Response | undefined>;
  /** For the management API: lets a request with a valid session (and CSRF token, to change state) through. */
  readonly authorizeWithoutKey: KeylessAuthorizer;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** A name that only ever serves one content: the browser may keep it for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const MAX_LOGIN_BYTES = 4096;

/**
 * @example
 * const dashboard = createDashboard({ keys: host.keys, allowedHosts: [] });
 * const response = await dashboard.handle(new Request('http://127.0.0.1:7071/dashboard'));
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const keyless = isKeyless(options.keys);
  const sessionKeys = { keys: acceptedKeys(options.keys, 'management'), ...(options.sessionMs ? { maxAgeMs: options.sessionMs } : {}) };
  const session = (request: Request) => {
    const value = readCookie(request.headers.get('cookie'), SESSION_COOKIE);
    const signer = verifySession(value, sessionKeys);
    return signer === undefined || value === undefined ? undefined : { value, signer };
  };

  const authorizeWithoutKey: KeylessAuthorizer = (request) => {
    const current = session(request);
    if (current === undefined) return undefined;
    if (SAFE_METHODS.has(request.method) || checkCsrf(current.value, current.signer, request.headers.get(CSRF_HEADER))) return 'authorized';
    return json(403, {
      message: `Forbidden: a dashboard request that changes state needs the session's ${CSRF_HEADER} header.`,
      field: CSRF_HEADER,
    });
  };

  const shell = (request: Request): Response => {
    if (keyless) return page(200, shellPage({ authRequired: false, assets: pageAssets() }));
    const current = session(request);
    if (current === undefined) return redirect(`${DASHBOARD_PATH}/login`);
    return page(200, shellPage({ authRequired: true, csrfToken: csrfToken(current.value, current.signer), assets: pageAssets() }));
  };

  const login = async (request: Request): Promise<Response> => {
    if (keyless) return redirect(DASHBOARD_PATH);
    if (request.method !== 'POST') return page(200, loginPage(pageAssets()));
    if (isCrossSite(request, options.allowedHosts)) return json(403, { message: 'Forbidden: a cross-site sign-in.', field: 'Origin' });
    const body = await request.text();
    if (body.length > MAX_LOGIN_BYTES) return json(413, { message: `The sign-in form is limited to ${MAX_LOGIN_BYTES} bytes.` });
    const key = new URLSearchParams(body).get('key') ?? '';
    let matched: string | undefined;
    for (const accepted of sessionKeys.keys) if (keysMatch(key, accepted) && matched === undefined) matched = accepted;
    if (matched === undefined) return page(401, loginPage(pageAssets(), 'That key does not open the management API.'));
    const value = issueSession({ ...sessionKeys, keys: [matched] });
    return redirect(DASHBOARD_PATH, sessionCookie(value, { secure: isHttps(request), maxAgeMs: options.sessionMs }));
  };

  const logout = (request: Request): Response => {
    if (request.method !== 'POST') return json(405, { message: 'Sign out with POST.' });
    if (isCrossSite(request, options.allowedHosts)) return json(403, { message: 'Forbidden: a cross-site sign-out.', field: 'Origin' });
    return redirect(`${DASHBOARD_PATH}/login`, sessionCookie(undefined, { secure: isHttps(request) }));
  };

  return {
    authorizeWithoutKey,
    async handle(request) {
      const path = new URL(request.url).pathname.replace(/\/+$/, '') || '/';
      if (path === '/') return request.method === 'GET' || request.method === 'HEAD' ? redirect(DASHBOARD_PATH, undefined, 302) : undefined;
      if (path === `${DASHBOARD_PATH}/login`) return login(request);
      if (path === `${DASHBOARD_PATH}/logout`) return logout(request);
      if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
      if (path === DASHBOARD_PATH) return shell(request);
      if (path.startsWith(`${DASHBOARD_PATH}/assets/`)) return asset(path.slice(`${DASHBOARD_PATH}/assets/`.length));
      if (path.startsWith(`${DASHBOARD_PATH}/vendor/`)) return vendor(path.slice(`${DASHBOARD_PATH}/vendor/`.length));
      return undefined;
    },
  };
}

function pageAssets(): PageAssets {
  const { script, style } = dashboardAssets();
  return { script: script.name, style: style.name };
}

function asset(name: string): Response | undefined {
  const { script, style } = dashboardAssets();
  const found: Asset | undefined = [script, style].find((a) => a.name === name);
  return found === undefined ? undefined : file(found.text, found.contentType, IMMUTABLE);
}

/** The vendored library's licences (its code is in the bundle). */
function vendor(name: string): Response | undefined {
  const text = readVendorLicence(name);
  return text === undefined ? undefined : file(text, 'text/plain; charset=utf-8');
}

function file(text: string, contentType: string, cacheControl?: string): Response {
  const headers: Record<string, string> = { 'content-type': contentType, 'content-security-policy': DASHBOARD_CSP };
  if (cacheControl !== undefined) headers['cache-control'] = cacheControl;
  return new Response(text, { headers });
}

/**
 * `same-origin` referrers (instead of the API's `no-referrer`): with no
 * referrer at all, Chromium sends `Origin: null` on a form post, which the
 * sign-in and sign-out checks must read as cross-site. Nothing leaves the origin.
 */
function page(status: number, html: string): Response {
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': DASHBOARD_CSP,
    'referrer-policy': 'same-origin',
  };
  return new Response(html, { status, headers });
}

function redirect(location: string, cookie?: string, status = 303): Response {
  const headers: Record<string, string> = { location, 'content-length': '0' };
  if (cookie !== undefined) headers['set-cookie'] = cookie;
  return new Response(null, { status, headers });
}

function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === 'https:';
}
