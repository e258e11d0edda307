/**
 * @module dashboard/public/actions
 * The actions on one instance: raise an event (JSON checked before it is
 * sent), terminate, suspend, resume, rewind, restart and purge. Each goes
 * through a confirmation dialog, and only the actions the instance's status
 * allows are offered.
 */
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { checkJson } from './format.js';
import { ConfirmDialog, LIVE, errorText, html } from './ui.js';

const ACTIONS = [
  { id: 'raise', label: 'Raise event…', when: (s) => LIVE.includes(s) },
  { id: 'terminate', label: 'Terminate', when: (s) => LIVE.includes(s), danger: true, reason: true },
  { id: 'suspend', label: 'Suspend', when: (s) => s === 'Running' || s === 'Pending', reason: true },
  { id: 'resume', label: 'Resume', when: (s) => s === 'Suspended', reason: true },
  { id: 'rewind', label: 'Rewind', when: (s) => s === 'Failed', reason: true },
  { id: 'restart', label: 'Restart', when: () => true },
  { id: 'purge', label: 'Purge', when: (s) => !LIVE.includes(s), danger: true },
];

export function Actions({ status, onDone }) {
  const [action, setAction] = useState(undefined);
  const [message, setMessage] = useState(undefined);
  const offered = ACTIONS.filter((a) => a.when(status.runtimeStatus));
  const finish = async (result) => {
    setAction(undefined);
    setMessage(result);
    await onDone();
  };
  return html`<div class="actions" aria-label="Actions">
    ${offered.map(
      (a) =>
        html`<button
          type="button"
          class=${a.danger ? 'danger' : ''}
          data-action=${a.id}
          onClick=${() => (setMessage(undefined), setAction(a))}
        >
          ${a.label}
        </button>`,
    )}
    ${message && html`<p class=${message.ok ? 'ok' : 'error'} role="status">${message.text}</p>`}
    ${action && html`<${ActionDialog} action=${action} status=${status} onCancel=${() => setAction(undefined)} onDone=${finish} />`}
  </div>`;
}

function ActionDialog({ action, status, onCancel, onDone }) {
  const [event, setEvent] = useState('');
  const [data, setData] = useState('');
  const [reason, setReason] = useState('');
  const [newId, setNewId] = useState(true);
  const [busy, setBusy] = useState(false);
  const id = status.instanceId;
  const json = checkJson(data);
  const invalid = action.id === 'raise' && (!json.ok || event.trim() === '');
  const run = async () => {
    if (invalid) return;
    setBusy(true);
    try {
      await onDone({ ok: true, text: await perform(action.id, id, { event: event.trim(), data: json.text, reason, newId }) });
    } catch (e) {
      await onDone({ ok: false, text: errorText(e) });
    }
  };
  return html`<${ConfirmDialog}
    title=${`${action.label.replace('…', '')} ${id}`}
    confirmLabel=${action.label.replace('…', '')}
    danger=${action.danger}
    busy=${busy || invalid}
    onConfirm=${run}
    onCancel=${onCancel}
  >
    ${
      action.id === 'raise' &&
      html`<label>Event name <input name="event" value=${event} onInput=${(e) => setEvent(e.target.value)} /></label>
        <label>Data (JSON) <textarea name="data" rows="4" value=${data} onInput=${(e) => setData(e.target.value)}></textarea></label>
        ${!json.ok && html`<p class="error">${json.error}</p>`}`
    }
    ${action.reason && html`<label>Reason <input name="reason" value=${reason} onInput=${(e) => setReason(e.target.value)} /></label>`}
    ${
      action.id === 'restart' &&
      html`<label class="check"
        ><input type="checkbox" checked=${newId} onChange=${(e) => setNewId(e.target.checked)} /> with a new instance ID</label
      >`
    }
    ${action.id === 'purge' && html`<p>This deletes the instance and its history for good.</p>`}
    ${action.id === 'terminate' && html`<p>The instance stops at once; running activities finish but their results are dropped.</p>`}
  <//>`;
}

async function perform(action, id, { event, data, reason, newId }) {
  switch (action) {
    case 'raise':
      await api.raise(id, event, data);
      return `Event '${event}' raised.`;
    case 'restart': {
      const started = await api.restart(id, newId);
      return `Restarted as ${started}.`;
    }
    case 'purge':
      await api.purge(id);
      window.location.hash = '#/';
      return 'Purged.';
    default:
      await api.control(id, action, reason);
      return `${action[0].toUpperCase()}${action.slice(1)} requested.`;
  }
}
