/**
 * @module test/observability/waterfall
 * Draws one trace's spans as a waterfall (as Jaeger or Tempo shows it), in
 * SVG: a row per span, indented by depth, a bar from its start to its end.
 * docs/images/trace-waterfall.svg is drawn by spans.test.ts with
 * `PERDURE_UPDATE_DOCS=1`.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

const ROW = 26;
const LABEL = 330;
const WIDTH = 980;

const ms = (time: readonly [number, number]) => time[0] * 1e3 + time[1] / 1e6;
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Depth-first order under the root (the span whose parent is not in the trace). */
function ordered(spans: readonly ReadableSpan[]): { span: ReadableSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const byStart = [...spans].sort((a, b) => ms(a.startTime) - ms(b.startTime));
  const rows: { span: ReadableSpan; depth: number }[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const span of byStart) {
      const parentId = span.parentSpanContext?.spanId;
      const isChild = parent === undefined ? parentId === undefined || !ids.has(parentId) : parentId === parent;
      if (!isChild) continue;
      rows.push({ span, depth });
      visit(span.spanContext().spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  return rows;
}

export function renderWaterfall(spans: readonly ReadableSpan[]): string {
  const rows = ordered(spans);
  const start = Math.min(...spans.map((s) => ms(s.startTime)));
  const end = Math.max(...spans.map((s) => ms(s.endTime)));
  const scale = (WIDTH - LABEL - 90) / Math.max(end - start, 1);
  const height = (rows.length + 2) * ROW;
  const lines = rows.map(({ span, depth }, i) => {
    const y = (i + 1) * ROW;
    const x = LABEL + (ms(span.startTime) - start) * scale;
    const duration = ms(span.endTime) - ms(span.startTime);
    const failed = span.status.code === SpanStatusCode.ERROR;
    const color = failed
      ? '#d9534f'
      : span.name.startsWith('activity:')
        ? '#5b9bd5'
        : span.name.startsWith('orchestration:')
          ? '#70ad47'
          : '#a5a5a5';
    return [
      `<text x="${8 + depth * 14}" y="${y + 17}">${escape(span.name)}</text>`,
      `<rect x="${x.toFixed(1)}" y="${y + 5}" width="${Math.max(duration * scale, 2).toFixed(1)}" height="${ROW - 10}" rx="3" fill="${color}"/>`,
      `<text x="${(x + Math.max(duration * scale, 2) + 6).toFixed(1)}" y="${y + 17}" fill="#666">${duration.toFixed(2)} ms</text>`,
    ].join('');
  });
  const title = `<text x="8" y="${ROW - 8}" font-weight="bold">One trace: ${rows.length} spans over ${(end - start).toFixed(1)} ms (in-memory exporter)</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    title,
    ...lines,
    `</svg>`,
    '',
  ].join('\n');
}
