/**
 * @module telemetry
 * What the client and the workers report, turned into metrics and spans:
 * the one object a host hands them (the client sees it as its
 * StartObserver port).
 *
 * What must hold:
 * - Spans and "ended" figures come only from committed turns and finished
 *   activity runs, so a replay, a discarded chain or a lost lease never
 *   emits twice; an execution's orchestration span is emitted by the commit
 *   that ended it, and nowhere else.
 * - Without a tracing SDK no instance has a trace context, and the turn path
 *   pays one property check for tracing.
 * - Looking up an execution's trace context in the store (an activity run on
 *   another host, a termination) happens only when tracing is on, off the
 *   turn path, and at most once per execution while it stays cached.
 */
import type { SignalObservation, StartObservation, StartObserver } from '../client/start-observer.ts';
import { parseEntityInstanceId } from '../model/entity-id.ts';
import { ENTITY_REQUEST_EVENT, type EntityOperationRequest } from '../model/entity-message.ts';
import type { FailureDetails } from '../model/failure.ts';
import type { ExecutionStartedEvent, HistoryEvent } from '../model/history.ts';
import { isTerminalStatus, type RuntimeStatus } from '../model/runtime-status.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import type { HostMetrics } from './metrics.ts';
import type { EntityOperationRun, TracedExecution, Tracing } from './tracing.ts';

/** Executions whose ExecutionStarted event is kept for spans of later turns and activity runs. */
const CACHED_EXECUTIONS = 10_000;

/** What a committed turn tells telemetry. */
export interface CommittedTurn {
  readonly instanceId: string;
  readonly executionId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly newEvents: readonly HistoryEvent[];
  readonly failure?: FailureDetails;
  /** Names of the children this commit started. */
  readonly childNames: readonly string[];
  /** The execution's start, when the worker has it at hand (a replayed or cached executor). */
  readonly started: ExecutionStartedEvent | undefined;
  /** When a timer of this execution was created, by task ID. */
  readonly timerCreatedAt: (taskId: number) => string | undefined;
  readonly now: number;
}

export interface ActivityRun {
  readonly instanceId: string;
  readonly executionId: string;
  readonly name: string;
  readonly taskId: number;
  readonly attempt: number;
  readonly start: number;
  readonly end: number;
  /** Measured with the performance clock: `end - start` is only as fine as the injected clock. */
  readonly seconds: number;
  readonly failure?: FailureDetails;
}

export class Telemetry implements StartObserver {
  readonly metrics: HostMetrics;
  readonly tracing: Tracing | undefined;
  readonly #clock: Clock;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #executions = new Map<string, ExecutionStartedEvent>();
  /** Operations of entity batches not committed yet, keyed by their commit (dropped with it if the lease is lost). */
  readonly #entityRuns = new WeakMap<object, readonly EntityOperationRun[]>();

  constructor(options: { metrics: HostMetrics; tracing: Tracing | undefined; clock: Clock; store: Store; logger: Logger }) {
    this.metrics = options.metrics;
    this.tracing = options.tracing;
    this.#clock = options.clock;
    this.#store = options.store;
    this.#logger = options.logger;
  }

  /** The tracer while an SDK is registered (checked at each use: one may be registered after the host starts). */
  get #tracing(): Tracing | undefined {
    return this.tracing?.active ? this.tracing : undefined;
  }

  before(start: Parameters<StartObserver['before']>[0]): StartObservation {
    const span = this.#tracing?.startCreate(start, this.#clock.now());
    const after = (outcome: string) => {
      if (outcome === 'created' || outcome === 'replaced') this.metrics.orchestrationStarted(start.name);
      else if (outcome === 'conflict') this.metrics.singletonConflict(start.name);
      span?.end(outcome, this.#clock.now());
    };
    return span?.trace ? { trace: span.trace, after } : { after };
  }

  beforeSignal(signal: { name: string; operation: string; instanceId: string }): SignalObservation {
    const span = this.#tracing?.startSignal(signal, this.#clock.now());
    if (!span) return { after: () => {} };
    return { ...span, after: (outcome) => span.end(outcome, this.#clock.now()) };
  }

  /** An entity batch ran these operations; they are reported when `commit` is committed (entityBatchCommitted). */
  entityBatchRan(commit: object, runs: readonly EntityOperationRun[]): void {
    if (runs.length > 0) this.#entityRuns.set(commit, runs);
  }

  /** The entity batch's commit went through: its operations are counted and their spans emitted. */
  entityBatchCommitted(commit: object): void {
    const runs = this.#entityRuns.get(commit);
    if (!runs) return;
    this.#entityRuns.delete(commit);
    const tracing = this.#tracing;
    for (const run of runs) {
      this.metrics.entityOperationRan(run.name, run.failure ? 'failed' : 'completed', run.seconds);
      if (run.traceparent !== undefined) tracing?.entityOperation(run);
    }
  }

  /** Keeps a traced execution's start so activity runs on this host find its trace context without a read. */
  remember(started: ExecutionStartedEvent | undefined): void {
    if (started?.trace === undefined || this.#executions.has(started.executionId)) return;
    if (this.#executions.size >= CACHED_EXECUTIONS) this.#executions.delete(this.#executions.keys().next().value!);
    this.#executions.set(started.executionId, started);
  }

  turnCommitted(turn: CommittedTurn): void {
    for (const name of turn.childNames) this.metrics.orchestrationStarted(name);
    const ended = isTerminalStatus(turn.runtimeStatus) || turn.runtimeStatus === 'ContinuedAsNew';
    const started = turn.started ?? this.#executions.get(turn.executionId);
    if (started?.trace) this.#emitTurnSpans(turn, traced(turn, started));
    if (!ended) return;
    if (started || !this.#tracing) return this.#ended(turn, started);
    // A turn that ran no code (a termination) has no executor at hand: its start is read once, off the turn path.
    void this.#lookup(turn.instanceId, turn.executionId).then((found) => this.#ended(turn, found));
  }

  activityRan(run: ActivityRun): void {
    this.metrics.activityRan(run.name, run.failure ? 'failed' : 'completed', run.seconds);
    const tracing = this.#tracing;
    if (!tracing) return;
    const started = this.#executions.get(run.executionId);
    if (started) return emitActivity(tracing, run, started);
    void this.#lookup(run.instanceId, run.executionId).then((found) => emitActivity(tracing, run, found));
  }

  #ended(turn: CommittedTurn, started: ExecutionStartedEvent | undefined): void {
    const startedAt = started ? Date.parse(started.timestamp) : undefined;
    const seconds = startedAt === undefined ? undefined : Math.max(0, turn.now - startedAt) / 1000;
    this.metrics.orchestrationEnded(turn.name, turn.runtimeStatus, seconds);
    this.#executions.delete(turn.executionId);
    if (!started?.trace || startedAt === undefined) return;
    this.#tracing?.orchestration(traced(turn, started), { start: startedAt, end: turn.now }, turn.runtimeStatus, turn.failure);
  }

  #emitTurnSpans(turn: CommittedTurn, x: TracedExecution): void {
    const tracing = this.#tracing;
    if (!tracing) return;
    for (const event of turn.newEvents) {
      if (event.type === 'TimerFired') {
        const created = turn.timerCreatedAt(event.taskId);
        const start = Date.parse(created ?? event.fireAt);
        tracing.timer(x, { taskId: event.taskId, fireAt: event.fireAt, start, end: Math.max(start, turn.now) });
      } else if (event.type === 'EventRaised') {
        tracing.event(x, { name: event.name, direction: 'received', start: Date.parse(event.timestamp), end: turn.now });
      } else if (event.type === 'EventSent') {
        if (event.name === ENTITY_REQUEST_EVENT) entityRequestSpan(tracing, x, event.instanceId, event.input, turn.now);
        else tracing.event(x, { name: event.name, direction: 'sent', target: event.instanceId, start: turn.now, end: turn.now });
      }
    }
  }

  /** The execution's ExecutionStarted from the store, cached. */
  async #lookup(instanceId: string, executionId: string): Promise<ExecutionStartedEvent | undefined> {
    const cached = this.#executions.get(executionId);
    if (cached) return cached;
    try {
      // History opens with OrchestratorStarted, then ExecutionStarted.
      const history = await this.#store.getHistory(instanceId);
      const started = history.find((event) => event.type === 'ExecutionStarted');
      if (started?.type !== 'ExecutionStarted' || started.executionId !== executionId) return undefined;
      this.remember(started);
      return started;
    } catch (error) {
      this.#logger.debug?.('[perdure] could not read an execution start for its spans', error);
      return undefined;
    }
  }
}

/** An orchestration's call or signal to an entity; lock and release requests are not operations and get no span. */
function entityRequestSpan(tracing: Tracing, x: TracedExecution, target: string, input: unknown, at: number): void {
  const entity = parseEntityInstanceId(target);
  const request = input as Partial<EntityOperationRequest> | undefined;
  if (!entity || (request?.kind !== 'call' && request?.kind !== 'signal') || typeof request.op !== 'string') return;
  tracing.entityRequest(x, { name: entity.name, operation: request.op, kind: request.kind, target, at });
}

function emitActivity(tracing: Tracing, run: ActivityRun, started: ExecutionStartedEvent | undefined): void {
  if (started?.trace)
    tracing.activity({ trace: started.trace, name: started.name, instanceId: run.instanceId, executionId: run.executionId }, run);
}

function traced(x: { instanceId: string; executionId: string; name: string }, started: ExecutionStartedEvent): TracedExecution {
  return { trace: started.trace!, name: x.name, instanceId: x.instanceId, executionId: x.executionId };
}
