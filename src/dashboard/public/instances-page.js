/**
 * @module dashboard/public/instances-page
 * The instances page: counts by status, a filtered table paged with
 * continuation tokens, and the start form. It refreshes itself by short
 * polling, so new instances and status changes appear without a reload.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { firstData, markFirstRender, takeFirstLoad } from './first-load.js';
import { checkJson, formatCount, formatTime, localInputToIso } from './format.js';
import { NO_FILTER, PAGE_SIZE } from './instances-query.js';
import { ConfirmDialog, StatusBadge, errorText, html, usePoll } from './ui.js';

const STATUSES = ['Pending', 'Running', 'Suspended', 'ContinuedAsNew', 'Completed', 'Failed', 'Terminated'];

export function InstancesPage() {
  const [counts, setCounts] = useState(() => firstData()?.counts);
  const [filter, setFilter] = useState(NO_FILTER);
  const [tokens, setTokens] = useState([undefined]); // the token of each page seen so far
  const [page, setPage] = useState(() => firstData()?.page ?? { instances: undefined, token: undefined });
  const [error, setError] = useState('');
  const current = tokens[tokens.length - 1];

  usePoll(async () => {
    const first = filter === NO_FILTER && current === undefined ? takeFirstLoad() : undefined;
    const nextCounts = first?.counts ?? api.counts();
    const nextPage = first?.page ?? api.list(filter, PAGE_SIZE, current);
    try {
      // Each is shown as soon as it is here.
      await Promise.all([nextCounts.then(setCounts), nextPage.then(setPage)]);
      setError('');
    } catch (e) {
      setError(errorText(e));
    }
  }, [filter, current]);
  // Effects run after the frame is painted: the mark says the counts and rows are on screen.
  useEffect(() => {
    if (counts && page.instances) markFirstRender();
  }, [counts, page.instances]);

  const apply = (next) => {
    setFilter(next);
    setTokens([undefined]);
  };
  return html`<section class="instances">
    <${Counts} counts=${counts} onPick=${(status) => apply({ ...filter, statuses: [status] })} />
    <${StartForm} />
    <${Filters} filter=${filter} onApply=${apply} />
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <${Table} instances=${page.instances} />
    <nav class="pager">
      <button type="button" disabled=${tokens.length === 1} onClick=${() => setTokens(tokens.slice(0, -1))}>← Previous</button>
      <span>Page ${tokens.length}</span>
      <button type="button" disabled=${!page.token} onClick=${() => setTokens([...tokens, page.token])}>Next →</button>
    </nav>
  </section>`;
}

function Counts({ counts, onPick }) {
  if (!counts) return html`<div class="counts muted">Counting…</div>`;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return html`<div class="counts" aria-label="Instances by status">
    <div class="count"><span class="n" data-count="total">${formatCount(total)}</span><span>All</span></div>
    ${STATUSES.map(
      (status) =>
        html`<button type="button" class=${`count status-${status}`} onClick=${() => onPick(status)} title=${`Show ${status} instances`}>
          <span class="n" data-count=${status}>${formatCount(counts[status] ?? 0)}</span><span>${status}</span>
        </button>`,
    )}
  </div>`;
}

function Filters({ filter, onApply }) {
  const [draft, setDraft] = useState(filter);
  const set = (field) => (e) => setDraft({ ...draft, [field]: e.target.value });
  const toggle = (status) =>
    setDraft({
      ...draft,
      statuses: draft.statuses.includes(status) ? draft.statuses.filter((s) => s !== status) : [...draft.statuses, status],
    });
  const submit = (e) => {
    e.preventDefault();
    onApply({ ...draft, from: localInputToIso(draft.fromLocal), to: localInputToIso(draft.toLocal) });
  };
  const clear = () => {
    setDraft(NO_FILTER);
    onApply(NO_FILTER);
  };
  return html`<form class="filters" onSubmit=${submit} aria-label="Filters">
    <fieldset class="statuses">
      <legend>Status</legend>
      ${STATUSES.map(
        (status) =>
          html`<label
            ><input
              type="checkbox"
              name="status"
              value=${status}
              checked=${draft.statuses.includes(status)}
              onChange=${() => toggle(status)}
            />${status}</label
          >`,
      )}
    </fieldset>
    <label>Name <input name="name" value=${draft.name} onInput=${set('name')} placeholder="orchestration" /></label>
    <label>ID prefix <input name="prefix" value=${draft.prefix} onInput=${set('prefix')} /></label>
    <label
      >Created from (UTC) <input name="from" type="datetime-local" step="1" value=${draft.fromLocal ?? ''} onInput=${set('fromLocal')}
    /></label>
    <label>to <input name="to" type="datetime-local" step="1" value=${draft.toLocal ?? ''} onInput=${set('toLocal')} /></label>
    <button type="submit" class="primary">Filter</button>
    <button type="button" onClick=${clear}>Clear</button>
  </form>`;
}

function Table({ instances }) {
  if (!instances) return html`<p class="muted">Loading instances…</p>`;
  if (instances.length === 0) return html`<p class="muted" data-empty>No instances match.</p>`;
  return html`<table class="list">
    <thead>
      <tr>
        <th>Instance ID</th>
        <th>Name</th>
        <th>Status</th>
        <th>Created (UTC)</th>
        <th>Updated (UTC)</th>
      </tr>
    </thead>
    <tbody>
      ${instances.map(
        (i) =>
          html`<tr key=${i.instanceId} data-instance=${i.instanceId}>
            <td><a href=${rowLink(i.instanceId)}>${i.instanceId}</a></td>
            <td>${i.name}</td>
            <td><${StatusBadge} status=${i.runtimeStatus} /></td>
            <td>${formatTime(i.createdTime)}</td>
            <td>${formatTime(i.lastUpdatedTime)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** An entity's instance (`@name@key`) opens the entities page's view of it, which links back to the history. */
function rowLink(instanceId) {
  const entity = /^@([^@]+)@(.+)$/.exec(instanceId);
  if (entity) return `#/entities/${encodeURIComponent(entity[1])}/${encodeURIComponent(entity[2])}`;
  return `#/instances/${encodeURIComponent(instanceId)}`;
}

function StartForm() {
  const [open, setOpen] = useState(false);
  const [names, setNames] = useState([]);
  const [form, setForm] = useState({ name: '', id: '', input: '' });
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState(undefined);
  const show = async () => {
    setOpen(true);
    const list = await api.orchestrators().catch(() => []);
    setNames(list);
    setForm((f) => ({ ...f, name: f.name || list[0] || '' }));
  };
  const json = checkJson(form.input);
  const start = async () => {
    try {
      const id = await api.start(form.name, form.id.trim(), json.text);
      setMessage({ ok: true, text: `Started ${id}.`, id });
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) });
    }
    setConfirming(false);
  };
  if (!open) return html`<button type="button" class="primary" onClick=${show}>Start an instance…</button>`;
  const set = (field) => (e) => setForm({ ...form, [field]: e.target.value });
  return html`<form class="start" aria-label="Start an instance" onSubmit=${(e) => (e.preventDefault(), setConfirming(true))}>
    <label
      >Orchestration
      <select name="orchestration" value=${form.name} onChange=${set('name')}>
        ${names.map((name) => html`<option value=${name}>${name}</option>`)}
      </select></label
    >
    <label>Instance ID <input name="instanceId" value=${form.id} onInput=${set('id')} placeholder="(a new GUID)" /></label>
    <label class="wide">Input (JSON) <textarea name="input" rows="3" value=${form.input} onInput=${set('input')}></textarea></label>
    ${!json.ok && html`<p class="error">${json.error}</p>`}
    <button type="submit" class="primary" disabled=${!json.ok || !form.name}>Start</button>
    <button type="button" onClick=${() => setOpen(false)}>Close</button>
    ${
      message &&
      html`<p class=${message.ok ? 'ok' : 'error'} role="status">
        ${message.text} ${message.id && html`<a href=${`#/instances/${encodeURIComponent(message.id)}`}>Open</a>`}
      </p>`
    }
    ${
      confirming &&
      html`<${ConfirmDialog} title="Start an instance" confirmLabel="Start" onConfirm=${start} onCancel=${() => setConfirming(false)}>
        <p>Start <b>${form.name}</b>${form.id.trim() ? html` as <b>${form.id.trim()}</b>` : ''}?</p>
      <//>`
    }
  </form>`;
}
