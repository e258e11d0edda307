/**
 * @module dashboard/public/app
 * The dashboard's entry: a hash router between the instances page
 * (`#/`) and an instance (`#/instances/{id}`), under a header with the
 * sign-out button when the host has keys.
 */
import { render } from '/dashboard/vendor/preact.js';
import { useEffect, useState } from '/dashboard/vendor/hooks.js';
import { InstancePage } from './instance-page.js';
import { InstancesPage } from './instances-page.js';
import { html } from './ui.js';

const authRequired = document.querySelector('meta[name="perdure-auth"]')?.getAttribute('content') === 'key';

function useHash() {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function App() {
  const match = /^#\/instances\/(.+)$/.exec(useHash());
  const id = match ? decodeURIComponent(match[1]) : undefined;
  return html`<header class="top">
      <a class="brand" href="#/">Perdure</a>
      ${authRequired && html`<form method="post" action="/dashboard/logout"><button type="submit">Sign out</button></form>`}
    </header>
    ${id === undefined ? html`<${InstancesPage} />` : html`<${InstancePage} id=${id} key=${id} />`}`;
}

const root = document.getElementById('app');
root.textContent = ''; // the static "Loading…" shown until this module runs
render(html`<${App} />`, root);
