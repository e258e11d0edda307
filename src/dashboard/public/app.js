/**
 * @module dashboard/public/app
 * The dashboard's entry: a hash router between the instances page
 * (`#/`), an instance (`#/instances/{id}`), the entities page
 * (`#/entities`), an entity (`#/entities/{name}/{key}`) and the schedules
 * page (`#/schedules`), under a header with the navigation and the
 * sign-out button when the host has keys.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { EntitiesPage } from './entities-page.js';
import { EntityPage } from './entity-page.js';
import { startFirstLoad } from './first-load.js';
import { InstancePage } from './instance-page.js';
import { InstancesPage } from './instances-page.js';
import { SchedulesPage } from './schedules-page.js';
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

/** The view a hash names, and the navigation entry it belongs to. */
function route(hash) {
  const decode = decodeURIComponent;
  let m = /^#\/instances\/(.+)$/.exec(hash);
  if (m) return { nav: 'instances', view: html`<${InstancePage} id=${decode(m[1])} key=${hash} />` };
  m = /^#\/entities\/([^/]+)\/(.+)$/.exec(hash);
  if (m) return { nav: 'entities', view: html`<${EntityPage} name=${decode(m[1])} entityKey=${decode(m[2])} key=${hash} />` };
  if (/^#\/entities\/?$/.test(hash)) return { nav: 'entities', view: html`<${EntitiesPage} />` };
  if (/^#\/schedules\/?$/.test(hash)) return { nav: 'schedules', view: html`<${SchedulesPage} />` };
  return { nav: 'instances', list: true, view: html`<${InstancesPage} />` };
}

const NAV = [
  { id: 'instances', href: '#/', label: 'Instances' },
  { id: 'entities', href: '#/entities', label: 'Entities' },
  { id: 'schedules', href: '#/schedules', label: 'Schedules' },
];

function App() {
  const { nav, view } = route(useHash());
  return html`<header class="top">
      <a class="brand" href="#/">Perdure</a>
      <nav class="nav" aria-label="Pages">
        ${NAV.map((n) => html`<a href=${n.href} class=${n.id === nav ? 'current' : ''} aria-current=${n.id === nav ? 'page' : undefined}>${n.label}</a>`)}
      </nav>
      ${authRequired && html`<form method="post" action="/dashboard/logout"><button type="submit">Sign out</button></form>`}
    </header>
    ${view}`;
}

/** How long the first render waits for the instances list's data: past it, the page shows without, then fills in. */
const FIRST_DATA_WAIT_MS = 200;

// The instances list's data is asked for before the first render, not after its first paint; and the first
// render waits for it a moment, so the page is laid out and painted once, with its data, instead of twice.
const firstData = route(window.location.hash).list ? startFirstLoad() : Promise.resolve();
const waited = new Promise((resolve) => setTimeout(resolve, FIRST_DATA_WAIT_MS));
void Promise.race([firstData, waited]).then(() => {
  const root = document.getElementById('app');
  root.textContent = ''; // the static "Loading…" shown until now
  render(html`<${App} />`, root);
});
