/**
 * @module trace-context-ids
 * New trace contexts derived from a traced execution's, without the
 * OpenTelemetry API: a child orchestration's spans hang under its parent's
 * orchestration span, and a continued execution stays in the same trace
 * under the same parent as the execution it replaces.
 *
 * What must hold: each derived context gets its own, fresh span ID.
 */
import { randomFillSync } from 'node:crypto';
import { formatTraceparent, parseTraceparent, type TraceContext } from '../model/trace-context.ts';

/** Random bytes are drawn 4 KiB at a time: one system call per 512 span IDs, not one each. */
const pool = Buffer.alloc(4096);
let offset = pool.length;

/** 8 random bytes as 16 hex digits, never all zero (an invalid span ID). */
export function newSpanId(): string {
  for (;;) {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const id = pool.toString('hex', offset, (offset += 8));
    if (id !== '0000000000000000') return id;
  }
}

/** A child orchestration's context: its parent is the starting orchestration's span. */
export function childTraceOf(parent: TraceContext): TraceContext {
  const parsed = parseTraceparent(parent.traceparent);
  if (!parsed) return { ...parent, spanId: newSpanId() };
  return {
    traceparent: formatTraceparent(parsed.traceId, parent.spanId, parsed.traceFlags),
    ...(parent.tracestate ? { tracestate: parent.tracestate } : {}),
    spanId: newSpanId(),
  };
}

/** The next execution of a continued-as-new instance: same parent, its own span. */
export function continuedTraceOf(trace: TraceContext): TraceContext {
  return { ...trace, spanId: newSpanId() };
}
