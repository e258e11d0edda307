/**
 * @module dashboard/public/ui
 * What every view shares: `html` (htm bound to Preact), polling that pauses
 * while the tab is hidden, the confirmation dialog every action goes
 * through, and status badges.
 */
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

/** How often the views refresh themselves (short polling). */
export const POLL_MS = 1500;

export const LIVE = ['Pending', 'Running', 'ContinuedAsNew', 'Suspended'];

/** Calls `load` now and every POLL_MS while the page is visible; `deps` restart it. */
export function usePoll(load, deps) {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    let stopped = false;
    let timer;
    const tick = async () => {
      if (document.visibilityState !== 'hidden') await latest.current().catch(() => undefined);
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, deps);
}

export function StatusBadge({ status }) {
  return html`<span class=${`badge status-${status}`}>${status}</span>`;
}

/** A modal confirmation: what will happen, then Confirm or Cancel. */
export function ConfirmDialog({ title, children, confirmLabel = 'Confirm', danger, busy, onConfirm, onCancel }) {
  return html`<div class="overlay" role="presentation">
    <div class="dialog" role="dialog" aria-modal="true" aria-label=${title}>
      <h2>${title}</h2>
      ${children}
      <div class="buttons">
        <button type="button" onClick=${onCancel} disabled=${busy}>Cancel</button>
        <button type="button" class=${danger ? 'danger' : 'primary'} onClick=${onConfirm} disabled=${busy} data-confirm>
          ${confirmLabel}
        </button>
      </div>
    </div>
  </div>`;
}

/** A JSON value, pretty-printed; `—` when absent. */
export function JsonBlock({ value, label }) {
  if (value === undefined || value === null) return html`<span class="muted">—</span>`;
  return html`<pre class="json" aria-label=${label}>${JSON.stringify(value, null, 2)}</pre>`;
}

/** The message to show for a failed API call: a singleton conflict is named as such. */
export function errorText(error) {
  if (error?.status === 409 && error.body?.instanceId) {
    const status = error.body.runtimeStatus ? ` (${error.body.runtimeStatus})` : '';
    return `Singleton conflict: instance '${error.body.instanceId}' is already live${status}. ${error.message}`;
  }
  return error?.message ?? String(error);
}
