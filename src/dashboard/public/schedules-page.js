/**
 * @module dashboard/public/schedules-page
 * The schedules page: every schedule with what it starts and when, whether
 * it is paused, its next fire times, its latest run, and its last actions
 * with links to their instances; and pause, unpause, trigger and delete,
 * each after a confirmation. It refreshes itself by short polling, so the
 * run a trigger starts appears without a reload.
 */
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { instanceLink } from './entities-page.js';
import { formatDuration, formatTime } from './format.js';
import { ConfirmDialog, errorText, html, usePoll } from './ui.js';

const OPERATIONS = {
  pause: { label: 'Pause', text: 'No fire times are started while it is paused; they are not caught up afterwards.' },
  unpause: { label: 'Unpause', text: 'It goes on from now: fire times missed while paused are not started.' },
  trigger: { label: 'Trigger', text: 'It fires now, under its overlap policy, paused or not.' },
  delete: { label: 'Delete', text: 'The schedule is removed for good; the runs it started are left as they are.', danger: true },
};

export function SchedulesPage() {
  const [schedules, setSchedules] = useState(undefined);
  const [error, setError] = useState('');
  const [pending, setPending] = useState(undefined); // { name, operation } awaiting confirmation
  const [message, setMessage] = useState(undefined);
  const load = async () => {
    try {
      setSchedules(await api.schedules());
      setError('');
    } catch (e) {
      setError(errorText(e));
    }
  };
  usePoll(load, []);
  const run = async () => {
    const { name, operation } = pending;
    try {
      if (operation === 'delete') await api.deleteSchedule(name);
      else await api.scheduleOperation(name, operation);
      setMessage({ ok: true, text: `${OPERATIONS[operation].label}: done for '${name}'.` });
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) });
    }
    setPending(undefined);
    await load();
  };
  return html`<section class="schedules">
    <h1>Schedules</h1>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${message && html`<p class=${message.ok ? 'ok' : 'error'} role="status">${message.text}</p>`}
    ${
      !schedules
        ? html`<p class="muted">Loading schedules…</p>`
        : schedules.length === 0
          ? html`<p class="muted" data-empty>
              No schedules. Declare one with <code>app.schedule()</code> or create one with <code>client.schedules.create()</code>.
            </p>`
          : schedules.map(
              (s) =>
                html`<${Schedule}
                  key=${s.name}
                  schedule=${s}
                  onAction=${(operation) => (setMessage(undefined), setPending({ name: s.name, operation }))}
                />`,
            )
    }
    ${
      pending &&
      html`<${ConfirmDialog}
        title=${`${OPERATIONS[pending.operation].label} schedule ${pending.name}`}
        confirmLabel=${OPERATIONS[pending.operation].label}
        danger=${OPERATIONS[pending.operation].danger}
        onConfirm=${run}
        onCancel=${() => setPending(undefined)}
      >
        <p>${OPERATIONS[pending.operation].text}</p>
      <//>`
    }
  </section>`;
}

function Schedule({ schedule: s, onAction }) {
  const offered = ['trigger', s.paused ? 'unpause' : 'pause', 'delete'];
  return html`<article class="schedule" data-schedule=${s.name} aria-label=${`Schedule ${s.name}`}>
    <h2>
      <span class="mono">${s.name}</span>
      <span class=${`badge ${s.paused ? 'status-Suspended' : 'status-Running'}`} data-field="state">${s.paused ? 'Paused' : 'Active'}</span>
    </h2>
    <dl class="facts">
      <dt>Starts</dt>
      <dd>${s.definition.orchestration}</dd>
      <dt>When</dt>
      <dd>${when(s.definition)}</dd>
      <dt>Overlap</dt>
      <dd>${s.definition.overlap}</dd>
      <dt>Next fire times</dt>
      <dd data-field="next">${s.nextFireTimes.length === 0 ? '— (paused)' : s.nextFireTimes.slice(0, 3).map(formatTime).join(', ')}</dd>
      <dt>Latest run</dt>
      <dd>${s.running ? html`<a href=${instanceLink(s.running)}>${s.running}</a>` : '—'}</dd>
      ${
        s.buffered.length > 0 &&
        html`<dt>Buffered</dt>
          <dd>${s.buffered.map(formatTime).join(', ')}</dd>`
      }
    </dl>
    <div class="actions">
      ${offered.map(
        (op) =>
          html`<button type="button" class=${OPERATIONS[op].danger ? 'danger' : ''} data-action=${op} onClick=${() => onAction(op)}>
            ${OPERATIONS[op].label}
          </button>`,
      )}
    </div>
    <${Actions} actions=${s.recentActions} />
  </article>`;
}

function when(definition) {
  const zone = definition.timeZone && definition.timeZone !== 'UTC' ? ` (${definition.timeZone})` : ' (UTC)';
  if (definition.cron) return html`<code>${definition.cron}</code>${zone}`;
  if (definition.everyMs) return `every ${formatDuration(definition.everyMs)}`;
  return '—';
}

function Actions({ actions }) {
  if (actions.length === 0) return html`<p class="muted">No actions yet.</p>`;
  return html`<table class="list" aria-label="Last actions">
    <thead>
      <tr>
        <th>Fire time (UTC)</th>
        <th>Outcome</th>
        <th>Instance</th>
        <th>Decided (UTC)</th>
        <th>Detail</th>
      </tr>
    </thead>
    <tbody>
      ${[...actions].reverse().map(
        (a) =>
          html`<tr key=${`${a.fireTime}|${a.decidedAt}|${a.outcome}`} data-outcome=${a.outcome}>
            <td>${formatTime(a.fireTime)}</td>
            <td>${a.outcome}</td>
            <td>
              ${a.outcome === 'started' ? html`<a href=${instanceLink(a.instanceId)}>${a.instanceId}</a>` : html`<span class="mono">${a.instanceId}</span>`}
            </td>
            <td>${formatTime(a.decidedAt)}</td>
            <td>${a.detail ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
