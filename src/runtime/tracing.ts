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
  /** Perdure's own: an entity operation's name, and whether it was a `call` or a `signal`. */
  operation: 'perdure.entity.operation',
  operationKind: 'perdure.entity.operation_kind',
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

/** One operation an entity batch ran, as telemetry reports it once the batch is committed. */
export interface EntityOperationRun {
  /** The entity's name, and its instance ID (`@name@key`). */
  readonly name: string;
  readonly instanceId: string;
  readonly operation: string;
  readonly kind: 'call' | 'signal';
  /** The caller's span (from the request), when the caller was traced. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly start: number;
  readonly end: number;
  readonly seconds: number;
  readonly failure?: FailureDetails;
}

export interface SignalSpan {
  /** The context to send with the signal; undefined when the span does not record. */
  readonly traceparent?: string;
  readonly tracestate?: string;
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
  startCreate(
    start: { name: string; instanceId: string; executionId: string; traceparent?: string; tracestate?: string },
    at: number,
  ): StartSpan {
    const otel = this.#otel;
    const parent = start.traceparent === undefined ? undefined : parseTraceparent(start.traceparent);
    const context = parent ? this.#contextOf(parent, start.tracestate) : otel.context.active();
    const span = this.#tracer.startSpan(
      `create_orchestration:${start.name}`,
      { kind: otel.SpanKind.PRODUCER, startTime: hrTime(at), attributes: attributes('orchestration', start.name, start) },
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
        span.end(hrTime(at));
      },
    };
  }

  /**
   * `entity:{name}:{op}` (producer) for a client's signal, a child of the
   * caller's active context; its context is sent with the request.
   */
  startSignal(signal: { name: string; operation: string; instanceId: string }, at: number): SignalSpan {
    const otel = this.#otel;
    const attrs: OtelApi.Attributes = { [Attr.type]: 'signal_entity', [Attr.name]: signal.name, [Attr.instanceId]: signal.instanceId };
    attrs[Attr.operation] = signal.operation;
    const span = this.#tracer.startSpan(
      `entity:${signal.name}:${signal.operation}`,
      { kind: otel.SpanKind.PRODUCER, startTime: hrTime(at), attributes: attrs },
      otel.context.active(),
    );
    if (!span.isRecording()) return { end: () => span.end() };
    const own = span.spanContext();
    const tracestate = own.traceState?.serialize();
    return {
      traceparent: formatTraceparent(own.traceId, own.spanId, own.traceFlags),
      ...(tracestate ? { tracestate } : {}),
      end: (outcome, end) => {
        if (outcome !== 'sent') span.setStatus({ code: otel.SpanStatusCode.ERROR, message: `signal not queued (${outcome})` });
        span.end(hrTime(end));
      },
    };
  }

  /** `entity:{name}:{op}` (server): one operation an entity ran, a child of its caller's span. */
  entityOperation(run: EntityOperationRun): void {
    const parent = run.traceparent === undefined ? undefined : parseTraceparent(run.traceparent);
    if (!parent) return;
    const attrs: OtelApi.Attributes = { [Attr.type]: 'entity', [Attr.name]: run.name, [Attr.instanceId]: run.instanceId };
    attrs[Attr.operation] = run.operation;
    attrs[Attr.operationKind] = run.kind;
    const span = this.#tracer.startSpan(
      `entity:${run.name}:${run.operation}`,
      { kind: this.#otel.SpanKind.SERVER, startTime: hrTime(run.start), attributes: attrs },
      this.#contextOf(parent, run.tracestate),
    );
    this.#finish(span, run.failure, run.end);
  }

  /** `entity:{name}:{op}` (producer): an orchestration's call or signal to an entity, sent by a committed turn. */
  entityRequest(x: TracedExecution, request: { name: string; operation: string; kind: string; target: string; at: number }): void {
    const attrs = attributes(request.kind === 'call' ? 'call_entity' : 'signal_entity', request.name, x);
    attrs[Attr.operation] = request.operation;
    attrs[Attr.targetInstanceId] = request.target;
    const span = this.#tracer.startSpan(
      `entity:${request.name}:${request.operation}`,
      { kind: this.#otel.SpanKind.PRODUCER, startTime: hrTime(request.at), attributes: attrs },
      this.#orchestrationContext(x),
    );
    span.end(hrTime(request.at));
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
        startTime: hrTime(times.start),
        attributes: { ...attributes('orchestration', x.name, x), [Attr.status]: status },
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
    const attrs = attributes('activity', run.name, x);
    attrs[Attr.taskId] = run.taskId;
    attrs[Attr.attempt] = run.attempt;
    const span = this.#tracer.startSpan(
      `activity:${run.name}`,
      { kind: this.#otel.SpanKind.SERVER, startTime: hrTime(run.start), attributes: attrs },
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
        startTime: hrTime(timer.start),
        attributes: { ...attributes('timer', x.name, x), [Attr.taskId]: timer.taskId, [Attr.fireAt]: timer.fireAt },
      },
      this.#orchestrationContext(x),
    );
    span.end(hrTime(timer.end));
  }

  /** `orchestration_event:{event}`: an event this orchestration received (consumer) or sent (producer). */
  event(x: TracedExecution, event: { name: string; direction: 'received' | 'sent'; target?: string; start: number; end: number }): void {
    const kind = event.direction === 'sent' ? this.#otel.SpanKind.PRODUCER : this.#otel.SpanKind.CONSUMER;
    const attrs = attributes('orchestration_event', event.name, x);
    if (event.target !== undefined) attrs[Attr.targetInstanceId] = event.target;
    const span = this.#tracer.startSpan(
      `orchestration_event:${event.name}`,
      { kind, startTime: hrTime(event.start), attributes: attrs },
      this.#orchestrationContext(x),
    );
    span.end(hrTime(event.end));
  }

  #finish(span: OtelApi.Span, failure: FailureDetails | undefined, end: number): void {
    if (failure) {
      span.setStatus({ code: this.#otel.SpanStatusCode.ERROR, message: failure.message });
      span.setAttribute('error.type', failure.name);
      span.recordException(
        { name: failure.name, message: failure.message, ...(failure.stack ? { stack: failure.stack } : {}) },
        hrTime(end),
      );
    }
    span.end(hrTime(end));
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

/** The attributes every span carries, as a fresh object the caller may add to. */
function attributes(type: string, name: string, x: { instanceId: string; executionId: string }): OtelApi.Attributes {
  return { [Attr.type]: type, [Attr.name]: name, [Attr.instanceId]: x.instanceId, [Attr.executionId]: x.executionId };
}

/**
 * Epoch milliseconds as OpenTelemetry's `[seconds, nanoseconds]`: no Date per
 * span, and no ambiguity (the SDK reads a small number as a performance.now() time).
 */
function hrTime(ms: number): OtelApi.HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
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
