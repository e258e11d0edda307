/**
 * @module start-observer
 * The client's port to observability: told of every start before it is
 * stored (it may give the trace context to store with the instance) and of
 * the store's verdict after. The host implements it (runtime/telemetry.ts);
 * a client without one records nothing.
 *
 * What must hold: `before` never throws and costs next to nothing when no
 * tracing SDK is registered; `after` is called exactly once per `before`.
 */
import type { TraceContext } from '../model/trace-context.ts';

export interface StartObservation {
  /** Stored with the instance (ExecutionStarted) so its spans join the start's trace. */
  readonly trace?: TraceContext;
  /** `created`, `replaced`, `existing`, `conflict`, or `failed` when the store threw. */
  after(outcome: string): void;
}

/** A client's signal to an entity: the trace context to send with it, and the store's verdict after. */
export interface SignalObservation {
  readonly traceparent?: string;
  readonly tracestate?: string;
  after(outcome: string): void;
}

export interface StartObserver {
  /** Told of a client's entity signal before it is queued (optional: a client without it sends untraced signals). */
  beforeSignal?(signal: { readonly name: string; readonly operation: string; readonly instanceId: string }): SignalObservation;
  before(start: {
    readonly name: string;
    readonly instanceId: string;
    readonly executionId: string;
    readonly traceparent?: string;
    readonly tracestate?: string;
  }): StartObservation;
}
