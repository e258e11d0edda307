/**
 * @module timestamp
 * ISO 8601 text for an epoch-milliseconds time, as history events and
 * statuses record it. A batch of turns shares one time, so the last
 * conversion is kept: formatting a date is a measurable part of a turn.
 */
let lastMs = Number.NaN;
let lastText = '';

/** `new Date(ms).toISOString()`, remembered for the last `ms`. */
export function isoTimestamp(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}
