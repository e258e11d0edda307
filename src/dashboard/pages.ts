/**
 * @module dashboard/pages
 * The dashboard's two HTML documents: the app shell, which loads the
 * dashboard's one script and style sheet from `/dashboard/assets/` and
 * preloads the first data, and the login form. Both are
 * static markup with no inline script or style, so the pages' CSP can
 * allow scripts and styles from this origin only.
 *
 * What must hold: every value put into markup is HTML-escaped.
 */

/** The dashboard pages' policy: own scripts, styles and API calls only; no frames, plugins, or forms elsewhere. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * The instances page's first data (counts, and the first page of the list:
 * `listQuery(NO_FILTER, PAGE_SIZE)` in public/instances-query.js), preloaded
 * with the page so the requests start as the HTML arrives, not once the
 * script has run. The page's own fetches (public/first-load.js) take these
 * responses: same URLs, and `crossorigin` gives the same mode and
 * credentials as a plain `fetch()`. test/dashboard/dashboard-http.test.ts
 * checks that both sides name the same URLs.
 */
export const FIRST_DATA = [
  '/runtime/webhooks/durabletask/perdure/counts',
  '/runtime/webhooks/durabletask/instances?top=50&showInput=false&excludeEntities=true',
];

/** The hashed file names the pages load (assets.ts). */
export interface PageAssets {
  readonly script: string;
  readonly style: string;
}

export interface ShellOptions {
  /** The session's CSRF token, which the page sends on every action; absent on a keyless host. */
  readonly csrfToken?: string;
  readonly authRequired: boolean;
  readonly assets: PageAssets;
}

/**
 * One script, the bundle (it is deferred, as modules are), and the first data's
 * preloads ahead of everything else. The shell lists no other page's data: it
 * cannot see the `#/…` route, and the instances list is where `/` lands.
 */
export function shellPage(options: ShellOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="perdure-csrf" content="${escapeHtml(options.csrfToken ?? '')}">
<meta name="perdure-auth" content="${options.authRequired ? 'key' : 'none'}">
<title>Perdure</title>
<link rel="icon" href="data:,">
${FIRST_DATA.map((url) => `<link rel="preload" as="fetch" crossorigin href="${escapeHtml(url)}">`).join('\n')}
<link rel="stylesheet" href="/dashboard/assets/${escapeHtml(options.assets.style)}">
<script type="module" src="/dashboard/assets/${escapeHtml(options.assets.script)}"></script>
</head>
<body><main id="app"><p class="loading">Loading…</p></main></body>
</html>
`;
}

export function loginPage(assets: PageAssets, error?: string): string {
  const message = error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Perdure · sign in</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/${escapeHtml(assets.style)}">
</head>
<body>
<main class="login">
<h1>Perdure</h1>
<form method="post" action="/dashboard/login">
<label for="key">Host key (the system key or the master key)</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
${message}
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
