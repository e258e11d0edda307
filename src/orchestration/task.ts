/**
 * @module task
 * Tasks are what orchestrator code yields. A task is completed only by the
 * replay engine feeding it a recorded result, never by a promise, so the
 * orchestrator's progress depends on history alone.
 *
 * `yield* task` gives the typed result: a task is iterable, yielding itself
 * once and returning whatever the engine sends back.
 */
export type TaskState = 'pending' | 'completed' | 'failed';

export class Task<T> {
  #state: TaskState = 'pending';
  #result: T | undefined;
  #error: Error | undefined;
  #parents: CompositeTask<unknown>[] = [];

  get state(): TaskState {
    return this.#state;
  }
  get isCompleted(): boolean {
    return this.#state !== 'pending';
  }
  get isFaulted(): boolean {
    return this.#state === 'failed';
  }
  /** The result of a completed task; reading it before completion is a bug in the caller. */
  get result(): T | undefined {
    return this.#result;
  }
  get error(): Error | undefined {
    return this.#error;
  }

  *[Symbol.iterator](): Generator<Task<T>, T, unknown> {
    return (yield this) as T;
  }

  /** @internal */
  complete(result: T): void {
    if (this.#state !== 'pending') return;
    this.#state = 'completed';
    this.#result = result;
    this.#notifyParents();
  }

  /** @internal */
  fail(error: Error): void {
    if (this.#state !== 'pending') return;
    this.#state = 'failed';
    this.#error = error;
    this.#notifyParents();
  }

  /** @internal */
  addParent(parent: CompositeTask<unknown>): void {
    this.#parents.push(parent);
  }

  #notifyParents(): void {
    for (const parent of this.#parents) parent.onChildSettled(this);
  }

  /** Completes when every task has completed; fails as soon as one fails. */
  static all<const Ts extends readonly Task<unknown>[]>(tasks: Ts): Task<{ -readonly [K in keyof Ts]: TaskResult<Ts[K]> }> {
    return new WhenAllTask(tasks) as unknown as Task<{ -readonly [K in keyof Ts]: TaskResult<Ts[K]> }>;
  }

  /** Completes with the first task to complete or fail (the task itself, as in Durable Functions). */
  static any<const Ts extends readonly Task<unknown>[]>(tasks: Ts): Task<Ts[number]> {
    return new WhenAnyTask(tasks);
  }
}

export type TaskResult<X> = X extends Task<infer R> ? R : never;

export abstract class CompositeTask<T> extends Task<T> {
  constructor(readonly children: readonly Task<unknown>[]) {
    super();
    for (const child of children) child.addParent(this);
  }
  /** Children may already be settled when the composite is created. */
  protected settleFromChildren(): void {
    for (const child of this.children) {
      if (child.isCompleted) this.onChildSettled(child);
      if (this.isCompleted) return;
    }
  }
  abstract onChildSettled(child: Task<unknown>): void;
}

export class WhenAllTask extends CompositeTask<unknown[]> {
  #remaining: number;
  constructor(children: readonly Task<unknown>[]) {
    super(children);
    this.#remaining = children.length;
    if (children.length === 0) this.complete([]);
    else this.settleFromChildren();
  }
  onChildSettled(child: Task<unknown>): void {
    if (child.isFaulted) return this.fail(child.error!);
    this.#remaining -= 1;
    if (this.#remaining === 0) this.complete(this.children.map((c) => c.result));
  }
  protected override settleFromChildren(): void {
    this.#remaining = this.children.filter((c) => !c.isCompleted).length;
    const faulted = this.children.find((c) => c.isFaulted);
    if (faulted) this.fail(faulted.error!);
    else if (this.#remaining === 0) this.complete(this.children.map((c) => c.result));
  }
}

export class WhenAnyTask extends CompositeTask<Task<unknown>> {
  constructor(children: readonly Task<unknown>[]) {
    if (children.length === 0) throw new TypeError('Task.any needs at least one task');
    super(children);
    this.settleFromChildren();
  }
  onChildSettled(child: Task<unknown>): void {
    this.complete(child);
  }
}

/** A task the engine schedules as a recorded action, identified by its sequence number. */
export abstract class ScheduledTask<T> extends Task<T> {
  constructor(readonly taskId: number) {
    super();
  }
  abstract describe(): string;
}

/** How an activity task is run: its timeouts, and the heartbeat details a retry attempt starts from. */
export interface ActivityTaskOptions {
  readonly timeoutMs?: number;
  readonly heartbeatTimeoutMs?: number;
  readonly lastHeartbeatDetails?: unknown;
}

export class ActivityTask<T> extends ScheduledTask<T> {
  constructor(
    taskId: number,
    readonly name: string,
    readonly input: unknown,
    readonly options: ActivityTaskOptions = {},
  ) {
    super(taskId);
  }
  describe(): string {
    return `activity '${this.name}'`;
  }
}

/** What a live child does when its parent ends: it is terminated (default), or it runs on. */
export type ParentClosePolicy = 'terminate' | 'abandon';

export class SubOrchestrationTask<T> extends ScheduledTask<T> {
  constructor(
    taskId: number,
    readonly name: string,
    readonly instanceId: string,
    readonly input: unknown,
    /** What happens to the child if the parent ends while it is live (default 'terminate'). */
    readonly parentClose: ParentClosePolicy = 'terminate',
    readonly version?: string,
  ) {
    super(taskId);
  }
  describe(): string {
    return `sub-orchestration '${this.name}' (instance '${this.instanceId}')`;
  }
}

export class TimerTask extends ScheduledTask<void> {
  #cancelled = false;
  constructor(
    taskId: number,
    readonly fireAt: Date,
  ) {
    super(taskId);
  }
  describe(): string {
    return `timer firing at ${this.fireAt.toISOString()}`;
  }
  get isCancelled(): boolean {
    return this.#cancelled;
  }
  /** A cancelled timer no longer holds the orchestration open; its durable message is ignored when it fires. */
  cancel(): void {
    if (this.isCompleted) return;
    this.#cancelled = true;
    this.fail(new TimerCancelledError(this.taskId));
  }
}

export class EventSentTask extends ScheduledTask<void> {
  constructor(
    taskId: number,
    readonly instanceId: string,
    readonly name: string,
    readonly input: unknown,
  ) {
    super(taskId);
  }
  describe(): string {
    return `event '${this.name}' sent to '${this.instanceId}'`;
  }
}

export class ExternalEventTask<T> extends Task<T> {
  constructor(readonly name: string) {
    super();
  }
}

export class TimerCancelledError extends Error {
  override name = 'TimerCancelledError';
  constructor(readonly taskId: number) {
    super(`Timer #${taskId} was cancelled`);
  }
}
