/**
 * @module dashboard/public/first-load
 * The instances page's first data, asked for as soon as the script runs
 * rather than after the page's first paint (when effects start). The shell
 * preloads the same two URLs (pages.ts, FIRST_DATA), so by then the
 * browser is already fetching them, and these fetches take those responses.
 * app.js waits a moment for them before the first render, so the page is
 * laid out and painted once, with its data, rather than twice.
 *
 * Also the page's own measure of a first render: the mark
 * `perdure:first-render` (User Timing, milliseconds since navigation start),
 * set once, after the frame that shows the counts and the first rows. Bench
 * workload D1 reads it.
 */
import { api } from './api.js';
import { NO_FILTER, PAGE_SIZE } from './instances-query.js';

export const FIRST_RENDER_MARK = 'perdure:first-render';

let pending;
let arrived;
let marked = false;

/**
 * Starts the two requests; called once by app.js when the page opens on the instances list.
 * Answers a promise that settles when both have (never rejects).
 */
export function startFirstLoad() {
  const counts = api.counts();
  const page = api.list(NO_FILTER, PAGE_SIZE);
  pending = { counts, page };
  // Settled here too, so a failure the page never takes is not an unhandled rejection.
  return Promise.allSettled([counts, page]).then(([c, p]) => {
    if (c.status === 'fulfilled' && p.status === 'fulfilled') arrived = { counts: c.value, page: p.value };
  });
}

/**
 * Both answers, if they came before the page's first render (its initial state); else undefined.
 * Only until the page's first poll takes the load: a later visit to the page starts empty, not stale.
 */
export function firstData() {
  return pending === undefined ? undefined : arrived;
}

/** The started requests, once (the first poll of the unfiltered first page); later calls get undefined. */
export function takeFirstLoad() {
  const taken = pending;
  pending = undefined;
  return taken;
}

/** Sets the mark the first time it is called. */
export function markFirstRender() {
  if (marked) return;
  marked = true;
  performance.mark(FIRST_RENDER_MARK);
}
