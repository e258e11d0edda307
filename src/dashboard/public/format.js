/**
 * @module dashboard/public/format
 * Small text helpers shared by the dashboard's views. Pure, tested in Node.
 */

/** A duration as people read it: `850 ms`, `1.2 s`, `3 min 4 s`, `2 h 5 min`. */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.floor((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A JSON value on one line, cut to `max` characters. */
export function preview(value, max = 80) {
  if (value === undefined) return '';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * A count with thousands separators: `1,000,000`. Written out rather than `toLocaleString('en')`:
 * a fresh page's first Intl call loads the ICU data, 50–150 ms of a first render on a loaded machine.
 */
export function formatCount(n) {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A time as `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * Reads JSON typed by the user: empty means "no value". Answers `{ ok, text }`
 * with the text to send, or `{ ok: false, error }` naming what is wrong.
 */
export function checkJson(text) {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, text: '' };
  try {
    JSON.parse(trimmed);
    return { ok: true, text: trimmed };
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error.message}` };
  }
}

/**
 * A `datetime-local` input's value read as UTC, as the filter sends it to
 * the API (ISO with `Z`); empty stays empty.
 */
export function localInputToIso(value) {
  if (!value) return '';
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
