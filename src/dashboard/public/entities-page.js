/**
 * @module dashboard/public/entities-page
 * The entities page: every entity (or those of one name, with a key
 * prefix), paged with continuation tokens, each with its last operation
 * time, lock holder and queued requests. It refreshes itself by short
 * polling. A page may hold fewer rows than its size, even none, with more
 * after it: entities without state are left out unless asked for.
 */
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { formatTime } from './format.js';
import { errorText, html, usePoll } from './ui.js';

const PAGE_SIZE = 50;
const NO_FILTER = { name: '', prefix: '', includeDeleted: false };

export const entityLink = (entityId) => `#/entities/${encodeURIComponent(entityId.name)}/${encodeURIComponent(entityId.key)}`;
export const instanceLink = (id) => `#/instances/${encodeURIComponent(id)}`;

export function EntitiesPage() {
  const [filter, setFilter] = useState(NO_FILTER);
  const [tokens, setTokens] = useState([undefined]);
  const [page, setPage] = useState({ entities: undefined, token: undefined });
  const [error, setError] = useState('');
  const current = tokens[tokens.length - 1];

  usePoll(async () => {
    try {
      setPage(await api.entities(filter, PAGE_SIZE, current));
      setError('');
    } catch (e) {
      setError(errorText(e));
    }
  }, [filter, current]);

  const apply = (next) => {
    setFilter(next);
    setTokens([undefined]);
  };
  return html`<section class="entities">
    <h1>Entities</h1>
    <${Filters} filter=${filter} onApply=${apply} />
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <${Table} entities=${page.entities} more=${Boolean(page.token)} />
    <nav class="pager">
      <button type="button" disabled=${tokens.length === 1} onClick=${() => setTokens(tokens.slice(0, -1))}>← Previous</button>
      <span>Page ${tokens.length}</span>
      <button type="button" disabled=${!page.token} onClick=${() => setTokens([...tokens, page.token])}>Next →</button>
    </nav>
  </section>`;
}

function Filters({ filter, onApply }) {
  const [draft, setDraft] = useState(filter);
  const set = (field) => (e) => setDraft({ ...draft, [field]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    onApply({ ...draft, name: draft.name.trim(), prefix: draft.name.trim() ? draft.prefix : '' });
  };
  const clear = () => {
    setDraft(NO_FILTER);
    onApply(NO_FILTER);
  };
  return html`<form class="filters" onSubmit=${submit} aria-label="Entity filters">
    <label>Entity name <input name="name" value=${draft.name} onInput=${set('name')} placeholder="any" /></label>
    <label
      >Key prefix
      <input
        name="prefix"
        value=${draft.prefix}
        onInput=${set('prefix')}
        disabled=${!draft.name.trim()}
        title=${draft.name.trim() ? '' : 'Give an entity name first: keys are searched within one name'}
    /></label>
    <label class="check"
      ><input
        type="checkbox"
        name="includeDeleted"
        checked=${draft.includeDeleted}
        onChange=${(e) => setDraft({ ...draft, includeDeleted: e.target.checked })}
      />
      also entities without state</label
    >
    <button type="submit" class="primary">Filter</button>
    <button type="button" onClick=${clear}>Clear</button>
  </form>`;
}

function Table({ entities, more }) {
  if (!entities) return html`<p class="muted">Loading entities…</p>`;
  if (entities.length === 0) {
    return html`<p class="muted" data-empty>
      ${more ? 'No entities with state on this page; there are more pages.' : 'No entities match.'}
    </p>`;
  }
  return html`<table class="list">
    <thead>
      <tr>
        <th>Entity</th>
        <th>Name</th>
        <th>Key</th>
        <th>Last operation (UTC)</th>
        <th>Locked by</th>
        <th>Queued</th>
      </tr>
    </thead>
    <tbody>
      ${entities.map(
        (e) =>
          html`<tr key=${e.instanceId} data-entity=${e.instanceId}>
            <td><a href=${entityLink(e.entityId)}>${e.instanceId}</a>${!e.exists && html` <span class="muted">(no state)</span>`}</td>
            <td>${e.entityId.name}</td>
            <td class="mono">${e.entityId.key}</td>
            <td>${formatTime(e.lastOperationTime)}</td>
            <td>${e.lockedBy ? html`<a href=${instanceLink(e.lockedBy)}>${e.lockedBy}</a>` : '—'}</td>
            <td>${e.backlogQueueSize || ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
