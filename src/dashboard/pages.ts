/**
 * @module dashboard/pages
 * The dashboard's two HTML documents: the app shell, which loads the
 * browser modules from `/dashboard/assets/`, and the login form. Both are
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
 * Every module the app imports, announced up front: the browser fetches them
 * in parallel instead of discovering them import by import (four round trips).
 */
const MODULES = [
  ...['preact', 'hooks', 'htm'].map((name) => `/dashboard/vendor/${name}.js`),
  ...[
    'ui',
    'api',
    'format',
    'timeline',
    'actions',
    'instances-page',
    'instance-page',
    'entities-page',
    'entity-page',
    'schedules-page',
  ].map((name) => `/dashboard/assets/${name}.js`),
];

export interface ShellOptions {
  /** The session's CSRF token, which the page sends on every action; absent on a keyless host. */
  readonly csrfToken?: string;
  readonly authRequired: boolean;
}

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
<link rel="stylesheet" href="/dashboard/assets/style.css">
${MODULES.map((path) => `<link rel="modulepreload" href="${path}">`).join('\n')}
<script type="module" src="/dashboard/assets/app.js"></script>
</head>
<body><main id="app"><p class="loading">Loading…</p></main></body>
</html>
`;
}

export function loginPage(error?: string): string {
  const message = error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Perdure · sign in</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/style.css">
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
