/**
 * The dashboard's HTTP side without a browser: what is served where, with
 * which headers, and how the session stands in for a key on the management
 * API (sign-in, cookie flags, CSRF, cross-site refusals, key rotation).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpApp } from '../../src/http/create-http-app.ts';
import { dashboardAssets } from '../../src/dashboard/assets.ts';
import { DASHBOARD_CSP, FIRST_DATA } from '../../src/dashboard/pages.ts';

import { CSRF_HEADER } from '../../src/dashboard/session.ts';
import { startDashboardServer, type DashboardServer } from './fixtures.ts';

const MANAGEMENT = '/runtime/webhooks/durabletask';
const KEY = 'master-key-for-dashboard-http-tests';
const body = (response: Response): Promise<any> => response.json();
// A browser module (plain JavaScript, no declarations), loaded by URL as timeline.test.ts does.
const { NO_FILTER, PAGE_SIZE, listQuery } = (await import(
  new URL('../../src/dashboard/public/instances-query.js', import.meta.url).href
)) as {
  NO_FILTER: object;
  PAGE_SIZE: number;
  listQuery: (filter: object, pageSize: number) => string;
};

describe('dashboard over HTTP, keyless host', () => {
  let server: DashboardServer;
  before(async () => {
    server = await startDashboardServer();
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
  });

  it('redirects / to /dashboard and serves the page with its CSP and the security headers', async () => {
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/dashboard');
    const page = await fetch(`${server.url}/dashboard`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), DASHBOARD_CSP);
    assert.doesNotMatch(DASHBOARD_CSP, /unsafe/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const html = await page.text();
    assert.doesNotMatch(html, /<script>|style=/, 'no inline script or style');
  });

  it('loads one hashed script and style sheet, and preloads the first data by the URLs the page asks for', async () => {
    const html = await (await fetch(`${server.url}/dashboard`)).text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(
      scripts,
      [`<script type="module" src="/dashboard/assets/${dashboardAssets().script.name}">`],
      'one script, the bundle',
    );
    assert.match(dashboardAssets().script.name, /^app\.[0-9a-f]{12}\.js$/);
    assert.doesNotMatch(html, /modulepreload/);
    assert.ok(html.includes(`<link rel="stylesheet" href="/dashboard/assets/${dashboardAssets().style.name}">`));
    const preloads = [...html.matchAll(/<link rel="preload" as="fetch" crossorigin href="([^"]+)">/g)].map((m) =>
      m[1]!.replace(/&#38;/g, '&'),
    );
    assert.deepEqual(preloads, FIRST_DATA);
    assert.deepEqual(FIRST_DATA, [`${MANAGEMENT}/perdure/counts`, `${MANAGEMENT}/instances?${listQuery(NO_FILTER, PAGE_SIZE)}`]);
    assert.ok(html.indexOf('rel="preload"') < html.indexOf('<script'), 'the data is asked for before the script');
    for (const url of FIRST_DATA) assert.equal((await fetch(`${server.url}${url}`)).status, 200, url);
  });

  it('serves the bundle and the style sheet as immutable, the licences, and nothing else under /dashboard', async () => {
    const { script, style } = dashboardAssets();
    const bundle = await fetch(`${server.url}/dashboard/assets/${script.name}`);
    assert.equal(bundle.status, 200);
    assert.equal(bundle.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(bundle.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(bundle.headers.get('content-security-policy'), DASHBOARD_CSP);
    const text = await bundle.text();
    assert.equal(text, script.text);
    assert.doesNotMatch(text, /^\s*(import|export)\b/m, 'no module statements left');
    for (const module of ['node_modules/preact/dist/preact.module.js', 'node_modules/htm/', 'public/app.js', 'public/first-load.js']) {
      assert.ok(text.includes(module), `the bundle holds ${module}`);
    }
    const css = await fetch(`${server.url}/dashboard/assets/${style.name}`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const licence = await fetch(`${server.url}/dashboard/vendor/preact-LICENSE.txt`);
    assert.equal(licence.status, 200);
    assert.match(await licence.text(), /MIT/);
    assert.equal((await fetch(`${server.url}/dashboard`)).headers.get('cache-control'), 'no-store', 'the shell is never cached');
    for (const path of [
      '/dashboard/assets/..%2Fsession.ts',
      '/dashboard/assets/nope.js',
      '/dashboard/assets/app.js',
      '/dashboard/assets/style.css',
      `/dashboard/assets/${script.name.replace(/\.[0-9a-f]+\./, '.000000000000.')}`,
      '/dashboard/vendor/hooks.js',
      '/dashboard/vendor/package.json',
      '/dashboard/other',
    ]) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 404, path);
      assert.match(response.headers.get('content-type') ?? '', /json/);
    }
  });

  it('answers the Perdure read routes: counts, orchestrators, an instance with its parent and history', async () => {
    const client = server.host.client;
    await client.startNew('Child', { instanceId: 'http-child', input: 'x' });
    await client.waitForCompletion('http-child', { timeoutMs: 10_000 });
    const counts = await body(await fetch(`${server.url}${MANAGEMENT}/perdure/counts`));
    assert.equal(counts.Completed, 1);
    assert.deepEqual(Object.keys(counts).sort(), [
      'Completed',
      'ContinuedAsNew',
      'Failed',
      'Pending',
      'Running',
      'Suspended',
      'Terminated',
    ]);
    const names = await body(await fetch(`${server.url}${MANAGEMENT}/perdure/orchestrators`));
    assert.deepEqual(names, { orchestrators: ['Child', 'Greeting', 'Waiter'] });
    const status = await body(await fetch(`${server.url}${MANAGEMENT}/perdure/instances/http-child`));
    assert.equal(status.output, 'Hello child of x');
    assert.deepEqual(
      status.historyEvents.map((e: { type: string }) => e.type).filter((t: string) => t.startsWith('Task')),
      ['TaskScheduled', 'TaskCompleted'],
    );
    assert.equal((await fetch(`${server.url}${MANAGEMENT}/perdure/instances/missing`)).status, 404);
    assert.equal((await fetch(`${server.url}${MANAGEMENT}/perdure/counts`, { method: 'POST' })).status, 404);
    const byName = await body(await fetch(`${server.url}${MANAGEMENT}/instances?name=Child`));
    assert.deepEqual(
      byName.map((i: { instanceId: string }) => i.instanceId),
      ['http-child'],
    );
  });

  it('needs no sign-in, and a cross-site action is still refused by the browser checks', async () => {
    const login = await fetch(`${server.url}/dashboard/login`, { redirect: 'manual' });
    assert.equal(login.status, 303);
    const crossSite = await fetch(`${server.url}${MANAGEMENT}/instances/x/terminate`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(crossSite.status, 403);
  });
});

describe('dashboard over HTTP, host with a key', () => {
  const http = createHttpApp(
    { app: { httpTriggers: [], functions: [] } as never, client: { countInstancesByStatus: async () => ({ Running: 2 }) } as never },
    { keys: { masterKey: KEY } },
  );
  const base = 'http://127.0.0.1:7071';
  const signIn = (key: string, headers: Record<string, string> = {}) =>
    http.request(`${base}/dashboard/login`, {
      method: 'POST',
      body: new URLSearchParams({ key }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, ...headers },
    });

  it('sends the pages to the sign-in form until a key opens a session', async () => {
    const page = await http.request(`${base}/dashboard`);
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/dashboard/login');
    const form = await http.request(`${base}/dashboard/login`);
    assert.equal(form.status, 200);
    assert.match(await form.text(), /<form method="post" action="\/dashboard\/login">/);
    assert.equal((await signIn('wrong')).status, 401);
    assert.equal((await signIn(KEY, { origin: 'https://evil.example' })).status, 403, 'a cross-site sign-in');
    assert.equal((await signIn(KEY, { origin: 'null' })).status, 403, 'an opaque origin');
  });

  it('sets an HttpOnly, SameSite=Strict cookie that opens the pages and the management API, with CSRF on actions', async () => {
    const answer = await signIn(KEY);
    assert.equal(answer.status, 303);
    const setCookie = answer.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^perdure_session=v1\.[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    assert.ok(!setCookie.includes(KEY));
    const cookie = setCookie.split(';')[0]!;
    const page = await http.request(`${base}/dashboard`, { headers: { cookie } });
    assert.equal(page.status, 200);
    const csrf = /name="perdure-csrf" content="([^"]+)"/.exec(await page.text())?.[1];
    assert.ok(csrf);

    assert.equal((await http.request(`${base}${MANAGEMENT}/perdure/counts`)).status, 401, 'no key, no session');
    const counts = await http.request(`${base}${MANAGEMENT}/perdure/counts`, { headers: { cookie } });
    assert.equal(counts.status, 200);
    assert.equal((await body(counts)).Running, 2);

    const terminate = (headers: Record<string, string>) =>
      http.request(`${base}${MANAGEMENT}/instances/x/terminate`, { method: 'POST', headers: { cookie, ...headers } });
    assert.equal((await terminate({})).status, 403, 'no CSRF token');
    const wrong = await terminate({ [CSRF_HEADER]: `${csrf}x` });
    assert.equal(wrong.status, 403);
    assert.equal((await body(wrong)).field, CSRF_HEADER);
    assert.notEqual((await terminate({ [CSRF_HEADER]: csrf })).status, 403, 'the token lets the action through');
    assert.notEqual((await terminate({ [CSRF_HEADER]: csrf })).status, 401);
  });

  it('drops sessions signed by a key that is no longer configured, and signs out', async () => {
    const cookie = (await signIn(KEY)).headers.get('set-cookie')!.split(';')[0]!;
    const rotated = createHttpApp(
      { app: { httpTriggers: [], functions: [] } as never, client: {} as never },
      { keys: { masterKey: 'a-new-master-key-0123456789' } },
    );
    assert.equal((await rotated.request(`${base}/dashboard`, { headers: { cookie } })).status, 303);
    assert.equal((await rotated.request(`${base}${MANAGEMENT}/perdure/counts`, { headers: { cookie } })).status, 401);
    const out = await http.request(`${base}/dashboard/logout`, { method: 'POST', headers: { cookie, origin: base } });
    assert.equal(out.status, 303);
    assert.match(out.headers.get('set-cookie') ?? '', /^perdure_session=; .*Max-Age=0/);
  });

  it('can be left out', async () => {
    const bare = createHttpApp(
      { app: { httpTriggers: [], functions: [] } as never, client: {} as never },
      { keys: { masterKey: KEY }, dashboard: false },
    );
    assert.equal((await bare.request(`${base}/dashboard`)).status, 404);
    assert.equal((await bare.request(`${base}/`)).status, 404);
  });
});
