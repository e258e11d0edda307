/**
 * @module tracing
 * OpenTelemetry spans for orchestrations, named and attributed as every
 * Durable Task SDK does (tracer `Microsoft.DurableTask`, `{type}:{name}`,
 * `durabletask.*` attributes), so traces line up with other Durable Task apps.
 *
 * What must hold:
 * - `@opentelemetry/api` is an optional peer: it is loaded once, by a
 *   dynamic import whose failure means "no tracing", never an error.
 * - A start gets a trace context only when its span records (an SDK is
 *   registered and sampled it); an instance without one costs the turn
 *   path nothing.
 * - Spans are emitted after the fact with their recorded times, from
 *   committed work only: a replay, or a turn whose commit failed, emits
 *   nothing (the caller's job, see telemetry.ts).
 * - The orchestration span is emitted once, when the execution ends, under
 *   the span ID chosen at the start (children name it as parent before it
 *   exists), as Durable Functions' distributed tracing does; see decision 0024.
 */
import type * as OtelApi from '@opentelemetry/api';
import type { FailureDetails } from '../model/failure.ts';
import { formatTraceparent, parseTraceparent, type TraceContext } from '../model/trace-context.ts';
import { newSpanId } from './trace-context-ids.ts';

type Otel = typeof OtelApi;

export const TRACER_NAME = 'Microsoft.DurableTask';

/** Attribute names shared by the Durable Task SDKs (durabletask-js `tracing/constants.ts`). */
export const Attr = {
  type: 'durabletask.type',
  name: 'durabletask.task.name',
  instanceId: 'durabletask.task.instance_id',
  executionId: 'durabletask.task.execution_id',
  status: 'durabletask.task.status',
  taskId: 'durabletask.task.task_id',
  targetInstanceId: 'durabletask.event.target_instance_id',
  fireAt: 'durabletask.fire_at',
  replaySpanId: 'durabletask.task.replay_span_id',
  /** Perdure's own: which delivery of the activity task this run is (1 on the first). */
  attempt: 'perdure.activity.attempt',
} as const;

let loading: Promise<Otel | undefined> | undefined;

/** The OpenTelemetry API if it is installed; loaded once per process. */
export function loadOpenTelemetry(): Promise<Otel | undefined> {
  return (loading ??= import('@opentelemetry/api').then(
    (api) => api,
    () => undefined,
  ));
}

/** Where an orchestration's spans hang: its trace context and the names its spans carry. */
export interface TracedExecution {
  readonly trace: TraceContext;
  readonly name: string;
  readonly instanceId: string;
  readonly executionId: string;
}

export interface StartSpan {
  /** The context to store with the instance; undefined when the span does not record. */
  readonly trace: TraceContext | undefined;
  end(outcome: string, at: number): void;
}

export class Tracing {
  readonly #otel: Otel;
  readonly #tracer: OtelApi.Tracer;
  /** What the API's proxy delegates to while no SDK is registered. */
  readonly #noop: OtelApi.TracerProvider;
  /** The orchestration span's context, made once per trace context (an execution's, kept by its cached start). */
  readonly #contexts = new WeakMap<TraceContext, OtelApi.Context>();
  constructor(otel: Otel) {
    this.#otel = otel;
    this.#tracer = otel.trace.getTracer(TRACER_NAME);
    this.#noop = new otel.ProxyTracerProvider().getDelegate();
  }

  /** Whether an SDK is registered now: without one, nothing is traced and nothing is looked up. */
  get active(): boolean {
    const provider = this.#otel.trace.getTracerProvider();
    return !(provider instanceof this.#otel.ProxyTracerProvider) || provider.getDelegate() !== this.#noop;
  }

  /** `create_orchestration:{name}`, a child of the given `traceparent` or else of the caller's active context. */
  startCreate(start: {
    name: string;
    instanceId: string;
    executionId: string;
    traceparent?: string;
    tracestate?: string;
    at: number;
  }): StartSpan {
    const otel = this.#otel;
    const parent = parseTraceparent(start.traceparent);
    const context = parent ? this.#contextOf(parent, start.tracestate) : otel.context.active();
    const span = this.#tracer.startSpan(
      `create_orchestration:${start.name}`,
      { kind: otel.SpanKind.PRODUCER, startTime: new Date(start.at), attributes: this.#orchestrationAttributes(start, 'orchestration') },
      context,
    );
    if (!span.isRecording()) return { trace: undefined, end: () => span.end() };
    const own = span.spanContext();
    const tracestate = own.traceState?.serialize();
    const trace: TraceContext = {
      traceparent: formatTraceparent(own.traceId, own.spanId, own.traceFlags),
      ...(tracestate ? { tracestate } : {}),
      spanId: newSpanId(),
    };
    return {
      trace,
      end: (outcome, at) => {
        if (outcome === 'conflict') span.setStatus({ code: otel.SpanStatusCode.ERROR, message: 'instance already exists' });
        span.setAttribute('perdure.start.outcome', outcome);
        span.end(new Date(at));
      },
    };
  }

  /** `orchestration:{name}` from the execution's start to its end, under the span ID chosen at the start. */
  orchestration(x: TracedExecution, times: { start: number; end: number }, status: string, failure?: FailureDetails): void {
    const otel = this.#otel;
    const parent = parseTraceparent(x.trace.traceparent);
    if (!parent) return;
    const span = this.#tracer.startSpan(
      `orchestration:${x.name}`,
      {
        kind: otel.SpanKind.SERVER,
        startTime: new Date(times.start),
        attributes: {
          [Attr.type]: 'orchestration',
          [Attr.name]: x.name,
          [Attr.instanceId]: x.instanceId,
          [Attr.executionId]: x.executionId,
          [Attr.status]: status,
        },
      },
      this.#contextOf(parent, x.trace.tracestate),
    );
    adoptSpanId(span, x.trace.spanId);
    this.#finish(span, failure, times.end);
  }

  /** `activity:{name}`: one run of an activity task. */
  activity(
    x: TracedExecution,
    run: { name: string; taskId: number; attempt: number; start: number; end: number; failure?: FailureDetails },
  ): void {
    const span = this.#tracer.startSpan(
      `activity:${run.name}`,
      {
        kind: this.#otel.SpanKind.SERVER,
        startTime: new Date(run.start),
        attributes: {
          [Attr.type]: 'activity',
          [Attr.name]: run.name,
          [Attr.instanceId]: x.instanceId,
          [Attr.executionId]: x.executionId,
          [Attr.taskId]: run.taskId,
          [Attr.attempt]: run.attempt,
        },
      },
      this.#orchestrationContext(x),
    );
    this.#finish(span, run.failure, run.end);
  }

  /** `orchestration:{name}:timer`, from its creation to the turn that saw it fire. */
  timer(x: TracedExecution, timer: { taskId: number; fireAt: string; start: number; end: number }): void {
    const span = this.#tracer.startSpan(
      `orchestration:${x.name}:timer`,
      {
        kind: this.#otel.SpanKind.INTERNAL,
        startTime: new Date(timer.start),
        attributes: { ...this.#orchestrationAttributes(x, 'timer'), [Attr.taskId]: timer.taskId, [Attr.fireAt]: timer.fireAt },
      },
      this.#orchestrationContext(x),
    );
    span.end(new Date(timer.end));
  }

  /** `orchestration_event:{event}`: an event this orchestration received (consumer) or sent (producer). */
  event(x: TracedExecution, event: { name: string; direction: 'received' | 'sent'; target?: string; start: number; end: number }): void {
    const kind = event.direction === 'sent' ? this.#otel.SpanKind.PRODUCER : this.#otel.SpanKind.CONSUMER;
    const attributes: OtelApi.Attributes = { ...this.#orchestrationAttributes({ ...x, name: event.name }, 'orchestration_event') };
    if (event.target !== undefined) attributes[Attr.targetInstanceId] = event.target;
    const span = this.#tracer.startSpan(
      `orchestration_event:${event.name}`,
      { kind, startTime: new Date(event.start), attributes },
      this.#orchestrationContext(x),
    );
    span.end(new Date(event.end));
  }

  #finish(span: OtelApi.Span, failure: FailureDetails | undefined, end: number): void {
    if (failure) {
      span.setStatus({ code: this.#otel.SpanStatusCode.ERROR, message: failure.message });
      span.setAttribute('error.type', failure.name);
      span.recordException(
        { name: failure.name, message: failure.message, ...(failure.stack ? { stack: failure.stack } : {}) },
        new Date(end),
      );
    }
    span.end(new Date(end));
  }

  #orchestrationAttributes(x: { name: string; instanceId: string; executionId: string }, type: string): OtelApi.Attributes {
    return { [Attr.type]: type, [Attr.name]: x.name, [Attr.instanceId]: x.instanceId, [Attr.executionId]: x.executionId };
  }

  /** A context whose span is the orchestration's (known by its chosen ID, emitted or not). */
  #orchestrationContext(x: TracedExecution): OtelApi.Context {
    let context = this.#contexts.get(x.trace);
    if (context === undefined) {
      const { traceId, traceFlags } = parseTraceparent(x.trace.traceparent) ?? { traceId: '', traceFlags: 0 };
      context = this.#contextOf({ traceId, spanId: x.trace.spanId, traceFlags }, x.trace.tracestate);
      this.#contexts.set(x.trace, context);
    }
    return context;
  }

  #contextOf(parent: { traceId: string; spanId: string; traceFlags: number }, tracestate: string | undefined): OtelApi.Context {
    const otel = this.#otel;
    const spanContext: OtelApi.SpanContext = { ...parent, isRemote: true };
    if (tracestate) spanContext.traceState = otel.createTraceState(tracestate);
    return otel.trace.setSpanContext(otel.ROOT_CONTEXT, spanContext);
  }
}

/**
 * Gives the span the ID chosen at the start. The API has no way to choose a
 * span's ID; the OpenTelemetry JS SDK keeps the span context as a plain
 * object and exports what it holds at the end, so it is set there. With an
 * SDK where that does not take, the chosen ID is kept as an attribute, as
 * Durable Task's replay span ID, so the span can still be correlated.
 */
function adoptSpanId(span: OtelApi.Span, spanId: string): void {
  const context = span.spanContext() as { spanId: string };
  try {
    context.spanId = spanId;
  } catch {
    // frozen: fall through to the attribute
  }
  if (span.spanContext().spanId !== spanId) span.setAttribute(Attr.replaySpanId, spanId);
}
