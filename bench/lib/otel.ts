/**
 * @module bench/lib/otel
 * `npm run bench -- --otel`: registers an OpenTelemetry SDK as a production
 * set-up would (batched spans, periodic metric export, async-hooks context),
 * with exporters that drop everything, so a run measures what Perdure's
 * spans and metrics cost and nothing of a collector.
 *
 * `PERDURE_BENCH_OTEL=bare-tracer` instead registers a tracer whose spans
 * record but do nothing: Perdure does all of its tracing work (trace
 * contexts, IDs, attributes, parents) and the SDK none, which separates
 * Perdure's own share of the cost from the SDK's.
 */
import { context, metrics, trace, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
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
  if (parts.includes('bare-tracer')) trace.setGlobalTracerProvider({ getTracer: () => bareTracer });
  if (parts.includes('context')) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (parts.includes('traces'))
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopSpans)] }));
  if (parts.includes('metrics')) {
    const reader = new PeriodicExportingMetricReader({ exporter: noopMetrics, exportIntervalMillis: 10_000 });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  }
}

let spanIds = 0;

/** A span that records (so Perdure does its whole tracing path) and keeps nothing. */
class BareSpan {
  readonly #context: SpanContext;
  constructor() {
    spanIds += 1;
    this.#context = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: spanIds.toString(16).padStart(16, '0'), traceFlags: 1 };
  }
  spanContext(): SpanContext {
    return this.#context;
  }
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return true;
  }
  recordException(): void {}
}

const bareTracer = {
  startSpan: () => new BareSpan() as unknown as Span,
  startActiveSpan: () => {
    throw new Error('the bare tracer has no active spans');
  },
} as unknown as Tracer;
