/**
 * @module dashboard/public/entity-page
 * One entity: its last operation time, lock holder, queued requests and
 * state as pretty JSON (cut by the server when long, with a note saying so
 * and a download of the whole state), and the one action that fits an
 * entity: signal an operation with JSON input, checked before anything is
 * sent, after a confirmation. It refreshes itself by short polling, so the
 * state a signal leads to appears without a reload.
 */
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { instanceLink } from './entities-page.js';
import { checkJson, formatCount, formatTime } from './format.js';
import { ConfirmDialog, errorText, html, usePoll } from './ui.js';

export function EntityPage({ name, entityKey }) {
  const [entity, setEntity] = useState(undefined);
  const [error, setError] = useState('');
  const load = async () => {
    try {
      setEntity(await api.entity(name, entityKey));
      setError('');
    } catch (e) {
      setError(e?.status === 404 ? `No entity '@${name}@${entityKey}' was found.` : errorText(e));
    }
  };
  usePoll(load, [name, entityKey]);
  const back = html`<a href="#/entities">← Entities</a>`;
  if (!entity) {
    return html`<section>
      ${back}${error ? html`<p class="error" role="alert">${error}</p>` : html`<p class="muted">Loading…</p>`}
      ${error && html`<${SignalForm} name=${name} entityKey=${entityKey} onDone=${load} />`}
    </section>`;
  }
  return html`<section class="entity">
    ${back}
    <h1><span class="mono">${entity.instanceId}</span></h1>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <dl class="facts">
      <dt>Entity name</dt>
      <dd>${entity.entityId.name}</dd>
      <dt>Key</dt>
      <dd class="mono">${entity.entityId.key}</dd>
      <dt>Last operation</dt>
      <dd data-field="lastOperationTime">${formatTime(entity.lastOperationTime)}</dd>
      <dt>Locked by</dt>
      <dd data-field="lockedBy">${entity.lockedBy ? html`<a href=${instanceLink(entity.lockedBy)}>${entity.lockedBy}</a>` : '—'}</dd>
      <dt>Queued requests</dt>
      <dd>${entity.backlogQueueSize}</dd>
      <dt>Instance</dt>
      <dd><a href=${instanceLink(entity.instanceId)}>history</a></dd>
    </dl>
    <h2>State</h2>
    <${State} entity=${entity} />
    <${SignalForm} name=${name} entityKey=${entityKey} onDone=${load} />
  </section>`;
}

function State({ entity }) {
  if (!entity.exists) return html`<p class="muted" data-state="none">No state (never set, or deleted).</p>`;
  if (!entity.stateTruncated) return html`<pre class="json" aria-label="state">${JSON.stringify(entity.state, null, 2)}</pre>`;
  const download = async () => {
    const file = `${JSON.stringify(await api.entityState(entity.entityId.name, entity.entityId.key), null, 2)}\n`;
    const url = URL.createObjectURL(new Blob([file], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${entity.instanceId.replace(/[^\w.-]+/g, '_')}.state.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const shown = formatCount(entity.statePreview.length);
  return html`<p class="note" role="note" data-truncated>
      The state is too long to show whole: the first ${shown} of ${formatCount(entity.stateLength)} characters of its JSON.
      <button type="button" onClick=${download}>Download the whole state</button>
    </p>
    <pre class="json" aria-label="state">${entity.statePreview}…</pre>`;
}

function SignalForm({ name, entityKey, onDone }) {
  const [op, setOp] = useState('');
  const [input, setInput] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState(undefined);
  const json = checkJson(input);
  const ready = json.ok && op.trim() !== '';
  const send = async () => {
    try {
      await api.signal(name, entityKey, op.trim(), json.text);
      setMessage({ ok: true, text: `Signalled '${op.trim()}'. The state shows its effect once the entity has run it.` });
      await onDone();
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) });
    }
    setConfirming(false);
  };
  const submit = (e) => {
    e.preventDefault();
    setMessage(undefined);
    if (ready) setConfirming(true);
  };
  return html`<form class="start signal" aria-label="Signal an operation" onSubmit=${submit}>
    <label>Operation <input name="op" value=${op} onInput=${(e) => setOp(e.target.value)} placeholder="add" /></label>
    <label class="wide"
      >Input (JSON) <textarea name="input" rows="3" value=${input} onInput=${(e) => setInput(e.target.value)}></textarea>
    </label>
    ${!json.ok && html`<p class="error" role="alert">${json.error}</p>`}
    <button type="submit" class="primary" disabled=${!ready}>Signal…</button>
    ${message && html`<p class=${message.ok ? 'ok' : 'error'} role="status">${message.text}</p>`}
    ${
      confirming &&
      html`<${ConfirmDialog} title="Signal an operation" confirmLabel="Signal" onConfirm=${send} onCancel=${() => setConfirming(false)}>
        <p>${`Signal ${op.trim()} to @${name}@${entityKey} with ${json.text || 'no input'}?`}</p>
      <//>`
    }
  </form>`;
}
