/**
 * @module dashboard/public/instance-page
 * One instance: its status, input, output, custom status and failure (with
 * the stack), its parent and children as links, the history as a Gantt
 * timeline and as raw JSON (with a download), and the actions. It refreshes
 * itself by short polling.
 */
import { useState } from 'preact/hooks';
import { Actions } from './actions.js';
import { api } from './api.js';
import { formatDuration, formatTime, preview } from './format.js';
import { buildTimeline, layoutTimeline } from './timeline.js';
import { JsonBlock, StatusBadge, errorText, html, usePoll } from './ui.js';

const link = (id) => `#/instances/${encodeURIComponent(id)}`;

export function InstancePage({ id }) {
  const [status, setStatus] = useState(undefined);
  const [error, setError] = useState('');
  const load = async () => {
    try {
      setStatus(await api.instance(id));
      setError('');
    } catch (e) {
      setError(e?.status === 404 ? `No instance with ID '${id}'.` : errorText(e));
    }
  };
  usePoll(load, [id]);
  if (!status)
    return html`<section>
      <a href="#/">← Instances</a>${error ? html`<p class="error" role="alert">${error}</p>` : html`<p class="muted">Loading…</p>`}
    </section>`;
  const history = status.historyEvents ?? [];
  const children = history.filter((e) => e.type === 'SubOrchestrationInstanceCreated');
  return html`<section class="instance">
    <a href="#/">← Instances</a>
    <h1><span class="mono">${status.instanceId}</span> <${StatusBadge} status=${status.runtimeStatus} /></h1>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <dl class="facts">
      <dt>Orchestration</dt>
      <dd>${status.name}</dd>
      <dt>Created</dt>
      <dd>${formatTime(status.createdTime)}</dd>
      <dt>Updated</dt>
      <dd>${formatTime(status.lastUpdatedTime)}</dd>
      <dt>Execution</dt>
      <dd class="mono">${status.executionId}</dd>
      <dt>Parent</dt>
      <dd>${status.parentInstanceId ? html`<a href=${link(status.parentInstanceId)}>${status.parentInstanceId}</a>` : '—'}</dd>
      <dt>Children</dt>
      <dd>${children.length === 0 ? '—' : children.map((c) => html`<a class="child" href=${link(c.instanceId)}>${c.instanceId}</a> `)}</dd>
    </dl>
    <div class="values">
      <div>
        <h3>Input</h3>
        <${JsonBlock} value=${status.input} label="input" />
      </div>
      <div>
        <h3>Output</h3>
        <${JsonBlock} value=${status.output} label="output" />
      </div>
      <div>
        <h3>Custom status</h3>
        <${JsonBlock} value=${status.customStatus} label="custom status" />
      </div>
    </div>
    ${status.failureDetails && html`<${Failure} failure=${status.failureDetails} />`}
    <${Actions} status=${status} onDone=${load} />
    <h2>Timeline</h2>
    <${Timeline} history=${history} />
    <${RawHistory} id=${status.instanceId} history=${history} />
  </section>`;
}

function Failure({ failure }) {
  return html`<div class="failure" role="region" aria-label="Failure">
    <h3>Failure: ${failure.name}</h3>
    <p>${failure.message}</p>
    ${failure.stack && html`<pre class="stack">${failure.stack}</pre>`}
    ${
      failure.cause &&
      html`<p class="muted">Caused by:</p>
        <${Failure} failure=${failure.cause} />`
    }
  </div>`;
}

function Timeline({ history }) {
  const timeline = buildTimeline(history);
  const rows = layoutTimeline(timeline, Date.now());
  if (rows.length === 0) return html`<p class="muted">No activities, timers, sub-orchestrations or events yet.</p>`;
  return html`<div class="timeline" role="table" aria-label="Timeline">
    ${rows.map(({ bar, left, width, duration }) => {
      const label = bar.attempt > 1 ? `${bar.name} (attempt ${bar.attempt})` : bar.name;
      const outcome = bar.outcome === 'failed' ? bar.failure?.message : preview(bar.result, 60);
      return html`<div
        class=${`row kind-${bar.kind} outcome-${bar.outcome}${bar.attempt > 1 ? ' retry' : ''}`}
        role="row"
        data-kind=${bar.kind}
        data-name=${bar.name}
      >
        <span class="label" role="cell" title=${bar.kind}><span class="dot"></span>${label}</span>
        <span class="track" role="cell">
          <span class="bar" style=${{ left: `${left}%`, width: `${width}%` }} title=${`${label}: ${formatDuration(duration)}`}></span>
        </span>
        <span class="detail" role="cell"
          >${bar.end === undefined ? 'running' : formatDuration(duration)}${outcome ? ` · ${outcome}` : ''}</span
        >
        ${bar.instanceId && html`<a class="sub" href=${link(bar.instanceId)}>${bar.instanceId}</a>`}
      </div>`;
    })}
  </div>`;
}

function RawHistory({ id, history }) {
  const text = JSON.stringify(history, null, 2);
  // The file is the CLI's (`perdure instance history`): Durable Functions' shape, two-space JSON, one final newline.
  const download = async () => {
    const file = `${JSON.stringify(await api.history(id), null, 2)}\n`;
    const url = URL.createObjectURL(new Blob([file], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${id.replace(/[^\w.-]+/g, '_')}.history.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return html`<details class="raw">
    <summary>History as JSON (${history.length} events)</summary>
    <button type="button" onClick=${download}>Download</button>
    <pre class="json">${text}</pre>
  </details>`;
}
