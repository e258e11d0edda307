/**
 * @module trace-context
 * The W3C trace context an instance carries in its ExecutionStarted event,
 * so that every span of the orchestration, whichever host emits it and
 * however long after the start, lands in one trace under the right parent.
 *
 * What must hold: it is plain JSON, kept in history (no store column), and
 * it is written once, at the start; replays read it, never rewrite it.
 */

export interface TraceContext {
  /** W3C `traceparent` of the span the orchestration's span is a child of (the start's span, or the parent orchestration's). */
  readonly traceparent: string;
  readonly tracestate?: string;
  /**
   * The orchestration span's own span ID (16 hex digits), chosen at the
   * start: spans of later turns, other hosts and restarts name it as their
   * parent before the orchestration span itself is emitted, when it ends.
   */
  readonly spanId: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export interface ParsedTraceparent {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

/** The parts of a version-00 `traceparent`, or undefined when it is malformed or all-zero (W3C: ignore it). */
export function parseTraceparent(value: string | null | undefined): ParsedTraceparent | undefined {
  const match = value === null || value === undefined ? null : TRACEPARENT.exec(value.trim().toLowerCase());
  if (!match || match[1] === ZERO_TRACE || match[2] === ZERO_SPAN) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16) };
}

export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}
