/**
 * @module turn
 * One orchestration turn as a pure function: given a replay session (an
 * executor that has applied the stored history), the instance's status and
 * its new inbox messages, decide what to record and what to send. No I/O,
 * no clock (the turn time is an input), no randomness (IDs come from the
 * injected `newId`). The runtime commits the result in one transaction.
 */
import { toFailureDetails, type FailureDetails } from '../model/failure.ts';
import type { EventRaisedEvent, ExecutionTerminatedEvent, HistoryEvent, InboxEvent, ParentRef } from '../model/history.ts';
import { isTerminalStatus, RuntimeStatus } from '../model/runtime-status.ts';
import { isoTimestamp } from '../model/timestamp.ts';
import type { ExecutionOutcome, OrchestrationExecutor } from './executor.ts';
import { lockReleases } from './entity-locks.ts';
import { childTerminations, type ParentEnd } from './parent-close.ts';
import { fromTask, scheduledEvent, type ScheduledAction } from './scheduled-action.ts';

export interface TurnMessage {
  readonly id: string;
  readonly executionId?: string;
  readonly event: InboxEvent;
}

export interface TurnRequest {
  readonly executionId: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly messages: readonly TurnMessage[];
  readonly now: number;
  readonly newId: () => string;
}

export interface ParentNotification {
  readonly parent: ParentRef;
  readonly event: InboxEvent;
}

export interface TurnResult {
  readonly consumedMessageIds: string[];
  readonly newEvents: HistoryEvent[];
  readonly runtimeStatus: RuntimeStatus;
  readonly output?: unknown;
  readonly failure?: FailureDetails;
  readonly customStatus?: { value: unknown };
  readonly actions: ScheduledAction[];
  readonly parentNotification?: ParentNotification;
  /** Messages to other instances that are not recorded as tasks (rewinding failed children). */
  readonly controlMessages?: readonly { readonly instanceId: string; readonly event: InboxEvent }[];
  readonly continueAsNew?: { executionId: string; input: unknown; parent?: ParentRef; version?: string; carryover: EventRaisedEvent[] };
  /** True when the execution ended (terminal or continued as new): a cached session must be dropped. */
  readonly ended: boolean;
  /** The execution had already ended: the turn only drops late messages and leaves the instance as it was. */
  readonly drainOnly?: boolean;
}

/** Runs one turn. The executor is advanced in place; drop it if the commit fails. */
export function runTurn(executor: OrchestrationExecutor, request: TurnRequest): TurnResult {
  const state = new TurnState(executor, request);
  // A new execution's start must come first even if older events (carried over, or raised meanwhile) sort before it.
  const messages = request.messages;
  const ordered =
    messages.length < 2
      ? messages
      : [...messages].sort((a, b) => Number(b.event.type === 'ExecutionStarted') - Number(a.event.type === 'ExecutionStarted'));
  for (const message of ordered) state.accept(message);
  // Messages held while suspended are applied in the same turn if a later message resumed the instance.
  if (state.consumed.length < ordered.length) {
    const consumed = new Set(state.consumed);
    for (const message of ordered) if (!consumed.has(message.id)) state.accept(message);
  }
  return state.result();
}

class TurnState {
  readonly consumed: string[] = [];
  readonly events: HistoryEvent[];
  status: RuntimeStatus;
  terminated: { reason?: string } | undefined;
  readonly carryover: EventRaisedEvent[] = [];
  readonly timestamp: string;

  constructor(
    readonly executor: OrchestrationExecutor,
    readonly request: TurnRequest,
  ) {
    this.status = request.runtimeStatus;
    this.timestamp = isoTimestamp(request.now);
    this.events = [{ type: 'OrchestratorStarted', timestamp: this.timestamp }];
    executor.apply(this.events[0]!, false);
  }

  accept(message: TurnMessage): void {
    const { event } = message;
    const stale = message.executionId !== undefined && message.executionId !== this.request.executionId;
    const held = this.status === RuntimeStatus.Suspended && !isControl(event);
    if (held && !stale && !this.terminated) return; // stays in the inbox until resume
    this.consumed.push(message.id);
    if (stale || this.terminated) return;
    if (this.executor.outcome) return this.#afterOutcome(event);
    this.#apply(event);
  }

  #apply(event: InboxEvent): void {
    switch (event.type) {
      case 'ExecutionSuspended':
        if (this.status === RuntimeStatus.Suspended) return;
        this.status = RuntimeStatus.Suspended;
        return this.#record(event);
      case 'ExecutionResumed':
        if (this.status !== RuntimeStatus.Suspended) return;
        this.status = RuntimeStatus.Running;
        return this.#record(event);
      case 'ExecutionTerminated':
        this.terminated = { ...(event.reason === undefined ? {} : { reason: event.reason }) };
        return this.#record(event);
      case 'ExecutionRewound':
        return; // only meaningful for a failed instance; see rewind.ts
      default:
        this.#record(event);
        this.executor.apply(event, false);
    }
  }

  #record(event: InboxEvent): void {
    this.events.push(event);
  }

  #afterOutcome(event: InboxEvent): void {
    const outcome = this.executor.outcome;
    if (outcome?.status === 'ContinuedAsNew' && outcome.preserveUnprocessedEvents && event.type === 'EventRaised') {
      this.carryover.push(event);
    }
  }

  result(): TurnResult {
    const actions = this.executor.takeNewTasks().map(fromTask);
    for (const marker of this.executor.takePatchMarkers(this.timestamp)) this.events.push(marker);
    for (const action of actions) this.events.push(scheduledEvent(action, this.timestamp));
    const customStatus = this.executor.takeCustomStatus();
    const base = { ...this.#base(), actions, ...(customStatus ? { customStatus } : {}) };
    if (this.terminated) return this.#terminatedResult(base);
    const outcome = this.executor.outcome;
    if (!outcome) {
      const status = this.status === RuntimeStatus.Suspended ? this.status : RuntimeStatus.Running;
      return { ...base, runtimeStatus: status };
    }
    return this.#endedResult(base, outcome);
  }

  #terminatedResult(base: TurnResult): TurnResult {
    const reason = this.terminated?.reason;
    const failure = { name: 'OrchestrationTerminated', message: `Terminated${reason ? `: ${reason}` : ''}` };
    return {
      ...base,
      actions: [],
      runtimeStatus: RuntimeStatus.Terminated,
      output: reason ?? null,
      ended: true,
      ...this.#notifyParent({ type: 'SubOrchestrationInstanceFailed', timestamp: this.timestamp, taskId: 0, failure }),
      ...this.#releaseLocks([]),
    };
  }

  #endedResult(base: TurnResult, outcome: ExecutionOutcome): TurnResult {
    if (outcome.status === 'ContinuedAsNew') {
      const carryover = outcome.preserveUnprocessedEvents ? [...this.executor.unprocessedEvents, ...this.carryover] : [];
      const parent = this.executor.parent;
      const version = outcome.version ?? this.executor.version;
      return {
        ...base,
        runtimeStatus: RuntimeStatus.ContinuedAsNew,
        ended: true,
        ...this.#closeChildren('continued as new'),
        continueAsNew: {
          executionId: this.request.newId(),
          input: outcome.input,
          carryover,
          ...(parent ? { parent } : {}),
          ...(version === undefined ? {} : { version }),
        },
      };
    }
    const completed: HistoryEvent =
      outcome.status === 'Completed'
        ? { type: 'ExecutionCompleted', timestamp: this.timestamp, status: 'Completed', result: outcome.result }
        : { type: 'ExecutionCompleted', timestamp: this.timestamp, status: 'Failed', failure: outcome.failure };
    this.events.push(completed);
    const reply: InboxEvent =
      outcome.status === 'Completed'
        ? { type: 'SubOrchestrationInstanceCompleted', timestamp: this.timestamp, taskId: 0, result: outcome.result }
        : { type: 'SubOrchestrationInstanceFailed', timestamp: this.timestamp, taskId: 0, failure: outcome.failure };
    return {
      ...base,
      runtimeStatus: outcome.status === 'Completed' ? RuntimeStatus.Completed : RuntimeStatus.Failed,
      ...(outcome.status === 'Completed' ? { output: outcome.result } : { failure: outcome.failure }),
      ended: true,
      ...this.#notifyParent(reply),
      ...this.#closeChildren(outcome.status === 'Completed' ? 'completed' : 'failed'),
    };
  }

  /**
   * What this execution's end sends: terminations for the live children
   * (parent-close.ts) and releases of the entity locks it holds (entity-locks.ts).
   */
  #closeChildren(end: ParentEnd): Pick<TurnResult, 'controlMessages'> {
    const children = this.executor.liveChildren();
    return this.#releaseLocks(childTerminations(this.executor.instanceId, children, end, this.timestamp));
  }

  #releaseLocks(before: NonNullable<TurnResult['controlMessages']>): Pick<TurnResult, 'controlMessages'> {
    const holder = { instanceId: this.executor.instanceId, executionId: this.request.executionId };
    const messages = [...before, ...lockReleases(holder, this.executor.heldLockSets(), this.timestamp)];
    return messages.length === 0 ? {} : { controlMessages: messages };
  }

  #notifyParent(reply: InboxEvent): { parentNotification?: ParentNotification } {
    const parent = this.executor.parent;
    if (!parent) return {};
    return { parentNotification: { parent, event: { ...reply, taskId: parent.taskId } as InboxEvent } };
  }

  #base(): TurnResult {
    return {
      consumedMessageIds: this.consumed,
      newEvents: this.events,
      runtimeStatus: this.status,
      actions: [],
      ended: false,
    };
  }
}

function isControl(event: InboxEvent): boolean {
  return (
    event.type === 'ExecutionSuspended' ||
    event.type === 'ExecutionResumed' ||
    event.type === 'ExecutionTerminated' ||
    event.type === 'ExecutionRewound'
  );
}

/**
 * A finished instance only drains its inbox: late results and timers are
 * dropped unrecorded, and its status, output and failure stay as they are.
 */
export function drainTurn(request: TurnRequest): TurnResult {
  return {
    consumedMessageIds: request.messages.map((m) => m.id),
    newEvents: [],
    runtimeStatus: request.runtimeStatus,
    actions: [],
    ended: isTerminalStatus(request.runtimeStatus),
    drainOnly: true,
  };
}

/** Fails the instance with `error` (a replay that diverged from history, an unknown orchestrator, ...). */
export function failedTurn(request: TurnRequest, error: unknown, parent?: ParentRef): TurnResult {
  return failedTurnWith(request, toFailureDetails(error), parent);
}

/** Fails the instance with failure details the runtime built itself (poisoned work). */
export function failedTurnWith(request: TurnRequest, failure: FailureDetails, parent?: ParentRef): TurnResult {
  const timestamp = isoTimestamp(request.now);
  return {
    consumedMessageIds: request.messages.map((m) => m.id),
    newEvents: [
      { type: 'OrchestratorStarted', timestamp },
      { type: 'ExecutionCompleted', timestamp, status: 'Failed', failure },
    ],
    runtimeStatus: RuntimeStatus.Failed,
    failure,
    actions: [],
    ended: true,
    ...(parent
      ? { parentNotification: { parent, event: { type: 'SubOrchestrationInstanceFailed', timestamp, taskId: parent.taskId, failure } } }
      : {}),
  };
}

/**
 * Terminates the instance without running its code, so that an orchestrator
 * that kills its process or never yields can always be terminated. Every
 * message is consumed; the start (if it is among them) and the termination
 * are recorded.
 */
export function terminatedTurn(request: TurnRequest, termination: ExecutionTerminatedEvent, parent?: ParentRef): TurnResult {
  const timestamp = isoTimestamp(request.now);
  const reason = termination.reason;
  const newEvents: HistoryEvent[] = [{ type: 'OrchestratorStarted', timestamp }];
  const started = request.messages.find((m) => m.event.type === 'ExecutionStarted');
  if (started) newEvents.push(started.event);
  newEvents.push(termination);
  const failure = { name: 'OrchestrationTerminated', message: `Terminated${reason ? `: ${reason}` : ''}` };
  return {
    consumedMessageIds: request.messages.map((m) => m.id),
    newEvents,
    runtimeStatus: RuntimeStatus.Terminated,
    output: reason ?? null,
    actions: [],
    ended: true,
    ...(parent
      ? { parentNotification: { parent, event: { type: 'SubOrchestrationInstanceFailed', timestamp, taskId: parent.taskId, failure } } }
      : {}),
  };
}
