/**
 * @module executor
 * Incremental replay of one execution. Events are applied one at a time;
 * after each, the orchestrator generator runs until it waits on a pending
 * task. Scheduling events from history must match, by sequence number, the
 * tasks the code creates; any mismatch is a NonDeterministicOrchestrationError
 * naming both sides. Applying the same events to a fresh executor always
 * gives the same state, which is what makes caching an executor between
 * turns (extended sessions) equivalent to replaying from scratch.
 */
import { NonDeterministicOrchestrationError, SubOrchestrationFailedError, TaskFailedError } from '../model/errors.ts';
import { toFailureDetails, type FailureDetails } from '../model/failure.ts';
import type { EventOfType, EventRaisedEvent, HistoryEvent, HistoryEventType, ParentRef } from '../model/history.ts';
import { normalizePayload } from '../model/json.ts';
import { OrchestrationContext, type DecisionRecorder, type ContinueAsNewOptions, type ReplaySafeLogger } from './context.ts';
import { heldLockSets } from './entity-locks.ts';
import { PatchLog } from './patches.ts';
import { ActivityTask, EventSentTask, ExternalEventTask, ScheduledTask, SubOrchestrationTask, Task, TimerTask } from './task.ts';

// Any registered orchestrator, whatever its input type and whatever its yields evaluate to (see OrchestratorHandler in
// runtime/app.ts); the executor feeds it deserialized JSON and task results, so `any` is the honest type here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type OrchestratorFunction = (ctx: OrchestrationContext<any>) => Generator<unknown, unknown, any>;

export type ExecutionOutcome =
  | { readonly status: 'Completed'; readonly result: unknown }
  | { readonly status: 'Failed'; readonly failure: FailureDetails }
  | {
      readonly status: 'ContinuedAsNew';
      readonly input: unknown;
      readonly preserveUnprocessedEvents: boolean;
      /** The next execution's version; absent: this one's. */
      readonly version?: string;
    };

type Handlers = { [K in HistoryEventType]: (executor: OrchestrationExecutor, event: EventOfType<K>) => void };
type ScheduledClass = abstract new (...args: never[]) => ScheduledTask<unknown>;

export class OrchestrationExecutor implements DecisionRecorder {
  #ctx: OrchestrationContext | undefined;
  #generator: Generator<unknown, unknown, unknown> | undefined;
  #waitingOn: Task<unknown> | undefined;
  #nextTaskId = 0;
  readonly #tasks = new Map<number, ScheduledTask<unknown>>();
  readonly #unconfirmed = new Map<number, ScheduledTask<unknown>>();
  readonly #eventWaiters = new Map<string, ExternalEventTask<unknown>[]>();
  readonly #bufferedEvents: EventRaisedEvent[] = [];
  #outcome: ExecutionOutcome | undefined;
  #continueAsNew: { input: unknown; options: ContinueAsNewOptions } | undefined;
  #customStatus: { value: unknown } | undefined;
  #parent: ParentRef | undefined;
  #started: EventOfType<'ExecutionStarted'> | undefined;
  /** When each timer was created, kept only for a traced execution (its timer spans start then). */
  #timersCreatedAt: Map<number, string> | undefined;
  #replaying = true;
  /** Made on the first patch call or marker: most orchestrations never patch. */
  #patches: PatchLog | undefined;
  /** The markers that the turn being replayed recorded (replay.ts looks them up ahead). */
  #turnMarkers: ReadonlySet<string> | undefined;
  #nextTurnMarkers: ReadonlySet<string> | undefined;

  constructor(
    private readonly orchestrator: OrchestratorFunction,
    readonly instanceId: string,
    readonly name: string,
    private readonly logger?: ReplaySafeLogger,
  ) {}

  get outcome(): ExecutionOutcome | undefined {
    return this.#outcome;
  }
  get parent(): ParentRef | undefined {
    return this.#parent;
  }
  get started(): boolean {
    return this.#ctx !== undefined;
  }
  /** The execution's ExecutionStarted event, once applied: its start time and trace context. */
  get startedEvent(): EventOfType<'ExecutionStarted'> | undefined {
    return this.#started;
  }
  /** When a timer of a traced execution was created (the TimerCreated event's time). */
  timerCreatedAt(taskId: number): string | undefined {
    return this.#timersCreatedAt?.get(taskId);
  }
  /** Custom status set since the last call, if any. */
  takeCustomStatus(): { value: unknown } | undefined {
    const status = this.#customStatus;
    this.#customStatus = undefined;
    return status;
  }
  /** External events that arrived but that no code has waited for yet. */
  get unprocessedEvents(): readonly EventRaisedEvent[] {
    return this.#bufferedEvents;
  }

  /** The version this execution runs under (its ExecutionStarted's), once started. */
  get version(): string | undefined {
    return this.#started?.version;
  }

  /** Before replaying an OrchestratorStarted: the PatchMarkers that turn recorded further on. */
  expectPatchMarkers(changeIds: ReadonlySet<string> | undefined): void {
    this.#nextTurnMarkers = changeIds;
  }

  /** Applies one event. `replaying` is true for events already in stored history. */
  apply(event: HistoryEvent, replaying: boolean): void {
    this.#replaying = replaying;
    this.#ctx?.setReplaying(replaying);
    (OrchestrationExecutor.#handlers[event.type] as (x: OrchestrationExecutor, e: HistoryEvent) => void)(this, event);
    this.#resume();
  }

  /** Sub-orchestrations started (this turn or before) whose result has not arrived: what the end of the execution leaves live. */
  liveChildren(): SubOrchestrationTask<unknown>[] {
    const live: SubOrchestrationTask<unknown>[] = [];
    for (const task of this.#tasks.values()) if (task instanceof SubOrchestrationTask && !task.isCompleted) live.push(task);
    return live;
  }

  /** Entity locks asked for (this turn or before) and not released: what the end of the execution releases (entity-locks.ts). */
  heldLockSets(): string[][] {
    const sent: EventSentTask[] = [];
    for (const task of this.#tasks.values()) if (task instanceof EventSentTask) sent.push(task);
    return heldLockSets(sent);
  }

  /** The tasks `takeNewTasks` would return, left in place (replay checks compare them with history). */
  peekNewTasks(): ScheduledTask<unknown>[] {
    return [...this.#unconfirmed.values()].sort((a, b) => a.taskId - b.taskId);
  }

  /** Tasks the code created that history does not record yet: the new actions of this turn. */
  takeNewTasks(): ScheduledTask<unknown>[] {
    const tasks = [...this.#unconfirmed.values()].sort((a, b) => a.taskId - b.taskId);
    this.#unconfirmed.clear();
    return tasks;
  }

  schedule<T extends ScheduledTask<unknown>>(create: (taskId: number) => T): T {
    const task = create(this.#nextTaskId++);
    this.#tasks.set(task.taskId, task);
    this.#unconfirmed.set(task.taskId, task);
    return task;
  }

  waitForEvent<T>(name: string): ExternalEventTask<T> {
    const task = new ExternalEventTask<T>(name);
    const index = this.#bufferedEvents.findIndex((e) => e.name === name);
    if (index >= 0) {
      const [event] = this.#bufferedEvents.splice(index, 1);
      task.complete(event!.input as T);
    } else {
      const waiters = this.#eventWaiters.get(name) ?? [];
      waiters.push(task);
      this.#eventWaiters.set(name, waiters);
    }
    return task;
  }

  requestContinueAsNew(input: unknown, options: ContinueAsNewOptions): void {
    this.#continueAsNew = { input, options };
  }

  setCustomStatus(value: unknown): void {
    this.#customStatus = { value };
  }

  patched(changeId: string): boolean {
    return this.#patchLog().patched(changeId, this.#replaying);
  }

  deprecatePatch(changeId: string): void {
    this.#patchLog().deprecate(changeId, this.#replaying);
  }

  /** PatchMarker events this live turn wrote, to record with its scheduling events. */
  takePatchMarkers(timestamp: string): HistoryEvent[] {
    return this.#patches?.take(timestamp) ?? [];
  }

  #patchLog(): PatchLog {
    if (this.#patches) return this.#patches;
    this.#patches = new PatchLog();
    this.#patches.beginTurn(this.#turnMarkers);
    return this.#patches;
  }

  #beginTurn(timestamp: string): void {
    this.#ctx?.setTurnTime(timestamp);
    this.#turnMarkers = this.#nextTurnMarkers;
    this.#nextTurnMarkers = undefined;
    this.#patches?.beginTurn(this.#turnMarkers);
  }

  // One table for every executor (not closures per instance): an executor is created per instance and per replay.
  static readonly #handlers: Handlers = {
    OrchestratorStarted: (x, e) => x.#beginTurn(e.timestamp),
    ExecutionStarted: (x, e) => x.#start(e),
    TaskScheduled: (x, e) => x.#confirm(e, ActivityTask, e.name),
    TimerCreated: (x, e) => {
      x.#confirm(e, TimerTask, undefined);
      if (x.#started?.trace) (x.#timersCreatedAt ??= new Map()).set(e.taskId, e.timestamp);
    },
    SubOrchestrationInstanceCreated: (x, e) => x.#confirm(e, SubOrchestrationTask, e.name),
    EventSent: (x, e) => x.#confirm(e, EventSentTask, e.name),
    TaskCompleted: (x, e) => x.#settle(e, ActivityTask)?.complete(e.result),
    TaskFailed: (x, e) => {
      const task = x.#settle(e, ActivityTask) as ActivityTask<unknown> | undefined;
      // Poisoned work is not the orchestrator's to handle: no catch or retry policy may run it again.
      if (e.failure.poisoned) return x.#finish({ status: 'Failed', failure: e.failure });
      task?.fail(new TaskFailedError(task.name, task.taskId, e.failure));
    },
    TimerFired: (x, e) => x.#settle(e, TimerTask)?.complete(undefined),
    SubOrchestrationInstanceCompleted: (x, e) => x.#settle(e, SubOrchestrationTask)?.complete(e.result),
    SubOrchestrationInstanceFailed: (x, e) => {
      const task = x.#settle(e, SubOrchestrationTask) as SubOrchestrationTask<unknown> | undefined;
      task?.fail(new SubOrchestrationFailedError(task.name, task.taskId, task.instanceId, e.failure));
    },
    EventRaised: (x, e) => x.#deliverEvent(e),
    ExecutionSuspended: () => {},
    ExecutionResumed: () => {},
    ExecutionTerminated: () => {},
    ExecutionRewound: () => {},
    PatchMarker: (x, e) => {
      const divergence = x.#patchLog().apply(e);
      if (divergence !== undefined) throw x.#nonDeterminism(divergence);
    },
    ExecutionCompleted: () => {},
  };

  #start(event: EventOfType<'ExecutionStarted'>): void {
    if (this.#ctx) throw this.#nonDeterminism(`history has a second ExecutionStarted event`);
    this.#parent = event.parent;
    this.#started = event;
    const ctx = new OrchestrationContext(
      {
        instanceId: this.instanceId,
        executionId: event.executionId,
        name: this.name,
        parentInstanceId: event.parent?.instanceId,
        version: event.version,
      },
      this,
      this.logger,
    );
    ctx.setTurnTime(event.timestamp);
    ctx.setInput(event.input);
    ctx.setReplaying(this.#replaying);
    this.#ctx = ctx;
    this.#step(() => {
      const generator = this.orchestrator(ctx);
      if (!generator || typeof (generator as Generator).next !== 'function') {
        throw new TypeError(`Orchestrator '${this.name}' must be a generator function (function*), not a plain or async function`);
      }
      this.#generator = generator as Generator<unknown, unknown, unknown>;
      return this.#generator.next();
    });
  }

  #confirm(event: { taskId: number; type: string }, kind: ScheduledClass, name: string | undefined): void {
    const task = this.#unconfirmed.get(event.taskId);
    const recorded = `${event.type} #${event.taskId}${name === undefined ? '' : ` '${name}'`}`;
    if (!task) {
      const replayed = this.#tasks.has(event.taskId) ? 'recorded it already' : 'did not schedule anything with that sequence number';
      throw this.#nonDeterminism(`history recorded ${recorded}, but the replayed code ${replayed}`);
    }
    const taskName = (task as { name?: string }).name;
    if (!(task instanceof kind) || (name !== undefined && taskName !== name)) {
      throw this.#nonDeterminism(`history recorded ${recorded}, but the replayed code scheduled ${task.describe()} as #${task.taskId}`);
    }
    this.#unconfirmed.delete(event.taskId);
  }

  #settle(event: { taskId: number; type: string }, kind: ScheduledClass): ScheduledTask<unknown> | undefined {
    const task = this.#tasks.get(event.taskId);
    if (!task || !(task instanceof kind)) {
      const replayed = task ? (task as ScheduledTask<unknown>).describe() : 'nothing';
      throw this.#nonDeterminism(
        `history recorded ${event.type} for #${event.taskId}, but the replayed code has ${replayed} as #${event.taskId}`,
      );
    }
    return task.isCompleted ? undefined : task;
  }

  #deliverEvent(event: EventRaisedEvent): void {
    const waiters = this.#eventWaiters.get(event.name);
    const waiter = waiters?.shift();
    if (waiter) waiter.complete(event.input);
    else this.#bufferedEvents.push(event);
  }

  #resume(): void {
    while (this.#waitingOn?.isCompleted && !this.#outcome) {
      const task = this.#waitingOn;
      const generator = this.#generator!;
      this.#step(() => (task.isFaulted ? generator.throw(task.error) : generator.next(task.result)));
    }
  }

  #step(advance: () => IteratorResult<unknown, unknown>): void {
    let step: IteratorResult<unknown, unknown>;
    try {
      step = advance();
    } catch (error) {
      return this.#finish({ status: 'Failed', failure: toFailureDetails(error) });
    }
    if (step.done) return this.#complete(step.value);
    if (!(step.value instanceof Task)) {
      const shown = step.value === null ? 'null' : typeof step.value;
      const error = new TypeError(
        `Orchestrator '${this.name}' yielded ${shown}, which is not a task. Yield what ctx.callActivity, ctx.createTimer, ctx.waitForExternalEvent, Task.all or Task.any return (did you use await?)`,
      );
      return this.#finish({ status: 'Failed', failure: toFailureDetails(error) });
    }
    this.#waitingOn = step.value;
  }

  #complete(value: unknown): void {
    if (this.#continueAsNew) {
      const { input, options } = this.#continueAsNew;
      const version = options.version === undefined ? {} : { version: options.version };
      return this.#finish({
        status: 'ContinuedAsNew',
        input,
        preserveUnprocessedEvents: options.preserveUnprocessedEvents ?? false,
        ...version,
      });
    }
    try {
      this.#finish({ status: 'Completed', result: normalizePayload(value, `output of orchestration '${this.name}'`) });
    } catch (error) {
      this.#finish({ status: 'Failed', failure: toFailureDetails(error) });
    }
  }

  #finish(outcome: ExecutionOutcome): void {
    this.#outcome = outcome;
    this.#waitingOn = undefined;
  }

  #nonDeterminism(detail: string): NonDeterministicOrchestrationError {
    return new NonDeterministicOrchestrationError(
      `Non-deterministic replay of orchestration '${this.name}' (instance '${this.instanceId}'): ${detail}. ` +
        'Orchestrator code must make the same calls in the same order on every replay; guard changed steps with ctx.patched(), or start new instances under a new version (docs/versioning.md).',
    );
  }
}
