/**
 * @module bench/lib/otel
 * `npm run bench -- --otel`: registers an OpenTelemetry SDK as a production
 * set-up would (batched spans, periodic metric export, async-hooks context),
 * with exporters that drop everything, so a run measures what Perdure's
 * spans and metrics cost and nothing of a collector.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

const noopSpans: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };
const noopMetrics: PushMetricExporter = {
  export: (_metrics, done) => done({ code: 0 }),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
  selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
};

/** `parts`: which of the SDK's pieces to register (to see what each costs); all three by default. */
export function registerNoopOpenTelemetry(parts = ['context', 'traces', 'metrics']): void {
  if (parts.includes('context')) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (parts.includes('traces'))
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopSpans)] }));
  if (parts.includes('metrics')) {
    const reader = new PeriodicExportingMetricReader({ exporter: noopMetrics, exportIntervalMillis: 10_000 });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  }
}
