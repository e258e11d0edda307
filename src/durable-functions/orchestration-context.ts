/**
 * @module durable-functions/orchestration-context
 * `context.df` of a `durable-functions` v3 orchestrator, over Perdure's
 * OrchestrationContext: every call becomes the Perdure call that records the
 * same decision, so a DF orchestrator replays on Perdure's engine.
 *
 * What must hold:
 * - The tasks returned are Perdure's tasks (the executor only accepts
 *   those), with `isCanceled` added to timers, as DF names it.
 * - A registered-function task (`df.app.activity(...)` called) is turned into
 *   one scheduled task the first time it is yielded or combined, and the same
 *   one on every later use.
 * - Entity calls and signals are Perdure's (`callEntity`, `signalEntity`);
 *   `lock`, `isLocked` and `callHttp` throw UnsupportedFeatureError.
 * - Sub-orchestrations outlive their parent, as in Durable Functions, which
 *   has no parent-close policy: they are started with `parentClose: 'abandon'`.
 */
import { UnsupportedFeatureError } from '../azure-functions/unsupported.ts';
import type { OrchestrationContext as PerdureContext } from '../orchestration/context.ts';
import { Task as PerdureTask, type TimerTask as PerdureTimerTask } from '../orchestration/task.ts';
import type { EntityId, LockState } from './entity.ts';
import { entitiesUnsupported } from './errors.ts';
import type { CallHttpOptions } from './orchestration-types.ts';
import { RegisteredTask } from './registered-task.ts';
import { toRetryPolicy, type RetryOptions } from './retry-options.ts';
import type { Task, TimerTask } from './task-types.ts';

/** Durable Functions' children run on when their parent ends (it has no parent-close policy). */
const DF_CHILDREN = { parentClose: 'abandon' } as const;

export class DurableOrchestrationContext {
  readonly #ctx: PerdureContext;
  readonly #bound = new WeakMap<RegisteredTask, PerdureTask<unknown>>();
  customStatus: unknown = undefined;
  readonly version: string | undefined = undefined;

  readonly Task = {
    all: (tasks: Task[]): Task => PerdureTask.all(this.#tasks(tasks, 'Task.all')),
    any: (tasks: Task[]): Task => PerdureTask.any(this.#tasks(tasks, 'Task.any')),
  };

  constructor(ctx: PerdureContext) {
    this.#ctx = ctx;
  }

  get instanceId(): string {
    return this.#ctx.instanceId;
  }
  get parentInstanceId(): string | undefined {
    return this.#ctx.parentInstanceId;
  }
  get isReplaying(): boolean {
    return this.#ctx.isReplaying;
  }
  get currentUtcDateTime(): Date {
    return this.#ctx.currentUtcDateTime;
  }

  getInput<T>(): T {
    return this.#ctx.getInput<T>();
  }

  callActivity(name: string, input?: unknown): Task {
    return this.#ctx.callActivity(name, input);
  }

  callActivityWithRetry(name: string, retryOptions: RetryOptions, input?: unknown): Task {
    return this.#ctx.callActivityWithRetry(name, toRetryPolicy(retryOptions), input);
  }

  callSubOrchestrator(name: string, input?: unknown, instanceId?: string, version?: string): Task {
    noVersion(version);
    return this.#ctx.callSubOrchestrator(name, input, instanceId, DF_CHILDREN);
  }

  callSubOrchestratorWithRetry(name: string, retryOptions: RetryOptions, input?: unknown, instanceId?: string, version?: string): Task {
    noVersion(version);
    return this.#ctx.callSubOrchestratorWithRetry(name, toRetryPolicy(retryOptions), input, instanceId, DF_CHILDREN);
  }

  callHttp(options: CallHttpOptions): Task {
    throw new UnsupportedFeatureError(
      'context.df.callHttp',
      `durable HTTP calls${options?.tokenSource ? ' with managed identity tokens' : ''} are not implemented; call the URL from an activity instead.`,
    );
  }

  callEntity(entityId: EntityId, operationName: string, operationInput?: unknown): Task {
    return this.#ctx.callEntity({ name: entityId?.name, key: entityId?.key }, operationName, operationInput);
  }
  signalEntity(entityId: EntityId, operationName: string, operationInput?: unknown): void {
    this.#ctx.signalEntity({ name: entityId?.name, key: entityId?.key }, operationName, operationInput);
  }
  /** DF's JavaScript SDK defines critical sections but does not run them; Perdure's own `ctx.lockEntities` does. */
  lock(...entities: EntityId[] | [EntityId[]]): Task {
    return entitiesUnsupported(`context.df.lock(${entities.flat().map(String).join(', ')})`);
  }
  isLocked(): LockState {
    return entitiesUnsupported('context.df.isLocked');
  }

  continueAsNew(input: unknown): void {
    this.#ctx.continueAsNew(input);
  }

  createTimer(fireAt: Date): TimerTask {
    return withIsCanceled(this.#ctx.createTimer(fireAt));
  }

  /** Deterministic: the same on every replay of this point. DF derives it from `input` too; here the instance and turn suffice. */
  newGuid(input?: string): string {
    if (input !== undefined && typeof input !== 'string') throw new TypeError('newGuid: input must be a string');
    return this.#ctx.newGuid();
  }

  setCustomStatus(customStatusObject: unknown): void {
    this.#ctx.setCustomStatus(customStatusObject);
    this.customStatus = customStatusObject;
  }

  waitForExternalEvent(name: string): Task {
    return this.#ctx.waitForExternalEvent(name);
  }

  /** @internal What the orchestrator yielded, as a task Perdure's executor accepts. */
  toPerdureTask(value: unknown): unknown {
    if (!(value instanceof RegisteredTask)) return value;
    let bound = this.#bound.get(value);
    if (bound === undefined) {
      bound = this.#schedule(value);
      this.#bound.set(value, bound);
    }
    return bound;
  }

  #schedule(task: RegisteredTask): PerdureTask<unknown> {
    const retry = task.retryOptions;
    if (task.kind === 'activity') {
      return retry
        ? this.#ctx.callActivityWithRetry(task.functionName, toRetryPolicy(retry), task.input)
        : this.#ctx.callActivity(task.functionName, task.input);
    }
    return retry
      ? this.#ctx.callSubOrchestratorWithRetry(task.functionName, toRetryPolicy(retry), task.input, task.instanceId, DF_CHILDREN)
      : this.#ctx.callSubOrchestrator(task.functionName, task.input, task.instanceId, DF_CHILDREN);
  }

  #tasks(tasks: Task[], call: string): PerdureTask<unknown>[] {
    if (!Array.isArray(tasks)) throw new TypeError(`context.df.${call}: expected an array of tasks`);
    return tasks.map((task, index) => {
      const bound = this.toPerdureTask(task);
      if (!(bound instanceof PerdureTask)) throw new TypeError(`context.df.${call}: item ${index} is not a task returned by context.df`);
      return bound;
    });
  }
}

function noVersion(version: string | undefined): void {
  if (version !== undefined) {
    throw new UnsupportedFeatureError(
      'Orchestration versioning',
      'callSubOrchestrator was given a version; Perdure runs one version of each orchestration.',
    );
  }
}

function withIsCanceled(timer: PerdureTimerTask): TimerTask {
  if (!('isCanceled' in timer)) Object.defineProperty(timer, 'isCanceled', { get: () => timer.isCancelled });
  return timer as PerdureTimerTask & TimerTask;
}
