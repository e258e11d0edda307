/**
 * @module context
 * What orchestrator code sees (`ctx`). Every method is deterministic: task
 * IDs are allocated in call order, time is the replayed turn time, GUIDs are
 * derived from the instance and that time. Nothing here does I/O; it only
 * records intents that the executor matches against history.
 */
import { normalizePayload } from '../model/json.ts';
import { validateFunctionName, validateInstanceId } from '../model/instance-id.ts';
import { deterministicFraction, deterministicGuid } from './guid.ts';
import {
  entityInstanceId,
  parseEntityInstanceId,
  validateEntityId,
  type EntityId,
  type OperationInput,
  type OperationName,
  type OperationResult,
  type TypedEntityId,
} from '../model/entity-id.ts';
import { ENTITY_REQUEST_EVENT, type EntityRequest } from '../model/entity-message.ts';
import { ValidationError } from '../model/errors.ts';
import { validateVersion } from '../model/version.ts';
import { EntityCallTask, EntityLockTask, type EntityLock } from './entity-tasks.ts';
import { RetryableTask, RetryPolicy, type RetryPolicyOptions } from './retry-policy.ts';
import type { TaskFailedError } from '../model/errors.ts';
import {
  ActivityTask,
  EventSentTask,
  ExternalEventTask,
  SubOrchestrationTask,
  Task,
  TimerTask,
  type ParentClosePolicy,
  type ScheduledTask,
} from './task.ts';

/** Something that names an activity: its registered handle or its name. */
export type ActivityRef<I, O> = string | { readonly name: string; readonly kind: 'activity'; readonly __types?: (input: I) => O };
/** Something that names an orchestration: its registered handle or its name. */
export type OrchestrationRef<I, O> = string | { readonly name: string; readonly kind: 'orchestration'; readonly __types?: (input: I) => O };

/** How a sub-orchestration is started. */
export interface SubOrchestratorOptions {
  readonly instanceId?: string;
  /** The child's version; by default the parent's. */
  readonly version?: string;
  /** When this orchestration ends while the child is live: 'terminate' it (default), or 'abandon' it to run on. */
  readonly parentClose?: ParentClosePolicy;
}

/** How one activity call runs: its timeouts and its retries. */
export interface CallActivityOptions {
  /**
   * Start-to-close timeout of each attempt, in ms: past it the attempt fails
   * with ActivityTimeoutError (`timeoutType: 'startToClose'`) and its signal
   * aborts. Default: none.
   */
  readonly timeoutMs?: number;
  /**
   * The longest the activity may go without calling `ctx.heartbeat()` (the
   * first interval counts from its start): past it the attempt fails with
   * ActivityTimeoutError (`timeoutType: 'heartbeat'`). Default: none.
   */
  readonly heartbeatTimeoutMs?: number;
  /** Retries: a RetryPolicy or its options. A timed-out attempt is retried like any failed one. */
  readonly retry?: RetryPolicy | RetryPolicyOptions;
}

/** Longest activity timeout accepted: 30 days, well inside the range of a stored timestamp. */
const MAX_ACTIVITY_TIMEOUT_MS = 30 * 24 * 3600 * 1000;

export interface ContinueAsNewOptions {
  /** Carry external events that arrived but were not yet awaited over to the new execution. */
  readonly preserveUnprocessedEvents?: boolean;
  /** The next execution's version (default: this execution's): how an eternal orchestration moves to new code. */
  readonly version?: string;
}

/** The same options, under the name the versioning docs first used. */
export type SubOrchestrationOptions = SubOrchestratorOptions;

export interface ReplaySafeLogger {
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** The executor side of the context: it records each decision the orchestrator makes, to match against history. */
export interface DecisionRecorder {
  schedule<T extends ScheduledTask<unknown>>(create: (taskId: number) => T): T;
  waitForEvent<T>(name: string): ExternalEventTask<T>;
  requestContinueAsNew(input: unknown, options: ContinueAsNewOptions): void;
  setCustomStatus(value: unknown): void;
  patched(changeId: string): boolean;
  deprecatePatch(changeId: string): void;
}

export interface OrchestrationIdentity {
  readonly instanceId: string;
  readonly executionId: string;
  readonly name: string;
  readonly parentInstanceId: string | undefined;
  readonly version?: string | undefined;
}

const EPOCH = new Date(0).toISOString();

export class OrchestrationContext<TInput = unknown> {
  #replaying = true;
  /** The turn time as recorded (an ISO timestamp); parsed only when the code asks for it. */
  #turnTime = EPOCH;
  #now: Date | undefined;
  #guidCounter = 0;
  #randomCounter = 0;
  #input: unknown;
  #log: ReplaySafeLogger | undefined;

  constructor(
    readonly identity: OrchestrationIdentity,
    private readonly recorder: DecisionRecorder,
    private readonly logger: ReplaySafeLogger = console,
  ) {}

  /** True while the engine re-runs code for events that are already in history. */
  get isReplaying(): boolean {
    return this.#replaying;
  }

  /** Logs only when not replaying (made on first use: most orchestrators never log). */
  get log(): ReplaySafeLogger {
    return (this.#log ??= {
      info: (m, ...a) => this.isReplaying || this.logger.info(m, ...a),
      warn: (m, ...a) => this.isReplaying || this.logger.warn(m, ...a),
      error: (m, ...a) => this.isReplaying || this.logger.error(m, ...a),
    });
  }

  get instanceId(): string {
    return this.identity.instanceId;
  }
  get parentInstanceId(): string | undefined {
    return this.identity.parentInstanceId;
  }
  /** The time of the current turn, recorded in history: never the wall clock. */
  get currentUtcDateTime(): Date {
    return new Date(this.#turnDate().getTime());
  }
  /** The version this instance was started with (`startNew`'s, or the host's `defaultVersion`); '' when it has none. */
  get version(): string {
    return this.identity.version ?? '';
  }

  /**
   * True when this point runs on code that has the change `changeId`: always
   * for a live turn, and on replay only if the turn that ran here recorded the
   * change. An instance that passed here on older code replays false and
   * keeps its old steps. See docs/versioning.md.
   *
   * @example
   * if (ctx.patched('check-twice')) yield* ctx.callActivity(check, url);
   */
  patched(changeId: string): boolean {
    return this.recorder.patched(validateFunctionName(changeId, 'changeId'));
  }

  /**
   * Marks the place of a change whose old branch is gone: nothing is
   * answered, histories that recorded the change still replay, and new ones
   * record a marker that lets this call be deleted later.
   */
  deprecatePatch(changeId: string): void {
    this.recorder.deprecatePatch(validateFunctionName(changeId, 'changeId'));
  }

  getInput<T = TInput>(): T {
    return this.#input as T;
  }

  /**
   * Schedules an activity; `options` sets its timeouts and retries.
   *
   * @example
   * const file = yield* ctx.callActivity(download, url, {
   *   timeoutMs: 10 * 60_000,
   *   heartbeatTimeoutMs: 30_000,
   *   retry: { firstRetryIntervalMs: 1000, maxNumberOfAttempts: 3 },
   * });
   */
  callActivity<I, O>(activity: ActivityRef<I, O>, input?: I, options: CallActivityOptions = {}): Task<O> {
    const name = validateFunctionName(refName(activity), 'activity name');
    const payload = normalizePayload(input, `input of activity '${name}'`);
    const timeouts = activityTimeouts(options);
    const attempt = (previous?: TaskFailedError) => {
      const details = previous?.failure.lastHeartbeatDetails;
      const lastHeartbeat = details === undefined ? {} : { lastHeartbeatDetails: details };
      return this.recorder.schedule((id) => new ActivityTask<O>(id, name, payload, { ...timeouts, ...lastHeartbeat }));
    };
    if (options.retry === undefined) return attempt();
    return this.#withRetry(toRetryPolicy(options.retry), attempt);
  }

  callActivityWithRetry<I, O>(activity: ActivityRef<I, O>, retryPolicy: RetryPolicy, input?: I): Task<O> {
    return this.callActivity(activity, input, { retry: retryPolicy });
  }

  /**
   * Starts a child. The third argument is its instance ID, or the options
   * (`{ instanceId, version, parentClose }`); options given fourth are merged in.
   */
  callSubOrchestrator<I, O>(
    orchestration: OrchestrationRef<I, O>,
    input?: I,
    instanceId?: string | SubOrchestratorOptions,
    more: SubOrchestratorOptions = {},
  ): Task<O> {
    const name = validateFunctionName(refName(orchestration), 'orchestration name');
    const options: SubOrchestratorOptions = {
      ...(typeof instanceId === 'string' ? { instanceId } : typeof instanceId === 'object' && instanceId !== null ? instanceId : {}),
      ...more,
    };
    const childId = options.instanceId === undefined ? undefined : validateInstanceId(options.instanceId, 'sub-orchestration instanceId');
    const version = options.version === undefined ? this.identity.version : validateVersion(options.version, 'version');
    const payload = normalizePayload(input, `input of sub-orchestration '${name}'`);
    const parentClose = options.parentClose ?? 'terminate';
    if (parentClose !== 'terminate' && parentClose !== 'abandon')
      throw new ValidationError('parentClose', "must be 'terminate' or 'abandon'");
    return this.recorder.schedule(
      (id) => new SubOrchestrationTask<O>(id, name, childId ?? `${this.instanceId}:${id}`, payload, parentClose, version),
    );
  }

  callSubOrchestratorWithRetry<I, O>(
    orchestration: OrchestrationRef<I, O>,
    retryPolicy: RetryPolicy,
    input?: I,
    instanceId?: string | SubOrchestratorOptions,
    options?: SubOrchestratorOptions,
  ): Task<O> {
    // A fixed child ID is reused by each attempt: the failed child is terminal, so the default policy replaces it.
    return this.#withRetry(retryPolicy, () => this.callSubOrchestrator(orchestration, input, instanceId, options));
  }

  /** A durable timer. `fireAt` is a Date or epoch milliseconds. */
  createTimer(fireAt: Date | number): TimerTask {
    const at = new Date(fireAt);
    if (Number.isNaN(at.getTime())) throw new TypeError('createTimer: fireAt is not a valid date');
    return this.recorder.schedule((id) => new TimerTask(id, at));
  }

  /** Waits for an event raised on this instance; events that arrived earlier are buffered and delivered in order. */
  waitForExternalEvent<T = unknown>(name: string): Task<T> {
    return this.recorder.waitForEvent<T>(validateFunctionName(name, 'event name'));
  }

  /** Raises an event on another instance (fire and forget, recorded in history). */
  sendEvent(instanceId: string, eventName: string, payload?: unknown): void {
    const target = validateInstanceId(instanceId);
    const name = validateFunctionName(eventName, 'event name');
    const data = normalizePayload(payload, `payload of event '${name}'`);
    this.recorder.schedule((id) => new EventSentTask(id, target, name, data));
  }

  /**
   * Calls an entity operation and waits for its result; the task fails with
   * EntityOperationFailedError if the operation threw.
   *
   * @example
   * const total = yield* ctx.callEntity(counter.id('a'), 'get');
   */
  callEntity<Ops, K extends OperationName<Ops>>(
    id: TypedEntityId<Ops>,
    operationName: K,
    input?: OperationInput<Ops, K>,
  ): Task<OperationResult<Ops, K>>;
  callEntity<T = unknown>(id: EntityId, operationName: string, input?: unknown): Task<T>;
  callEntity(id: EntityId, operationName: string, input?: unknown): Task<unknown> {
    const target = entityInstanceId(validateEntityId(id));
    const op = validateFunctionName(operationName, 'operationName');
    const requestId = this.newGuid();
    this.#sendToEntity(target, {
      kind: 'call',
      id: requestId,
      op,
      ...this.#sender(),
      ...withInput(normalizePayload(input, `input of operation '${op}'`)),
    });
    return new EntityCallTask(this.recorder.waitForEvent(requestId), target, op);
  }

  /** Signals an entity operation (fire and forget), now or at `options.at`. */
  signalEntity<Ops, K extends OperationName<Ops>>(
    id: TypedEntityId<Ops>,
    operationName: K,
    input?: OperationInput<Ops, K>,
    options?: { at?: Date },
  ): void;
  signalEntity(id: EntityId, operationName: string, input?: unknown, options?: { at?: Date }): void;
  signalEntity(id: EntityId, operationName: string, input?: unknown, options: { at?: Date } = {}): void {
    const target = entityInstanceId(validateEntityId(id));
    const op = validateFunctionName(operationName, 'operationName');
    const at = options.at;
    if (at !== undefined && (!(at instanceof Date) || Number.isNaN(at.getTime()))) throw new ValidationError('at', 'must be a valid Date');
    this.#sendToEntity(target, {
      kind: 'signal',
      id: this.newGuid(),
      op,
      ...this.#sender(),
      ...withInput(normalizePayload(input, `input of operation '${op}'`)),
      ...(at === undefined ? {} : { scheduledTime: at.toISOString() }),
    });
  }

  /**
   * Locks the entities for this orchestration (a critical section): while
   * held, only this orchestration's operations reach them. Locks are taken
   * in one global order (sorted IDs), so two sections never deadlock.
   * Release with the handle's `release()`; locks still held when the
   * execution ends (or continues as new) are released then (entity-locks.ts).
   *
   * @example
   * const lock = yield* ctx.lockEntities([account.id('a'), account.id('b')]);
   * try { ... } finally { lock.release(); }
   */
  lockEntities(ids: readonly EntityId[]): Task<EntityLock> {
    if (!Array.isArray(ids) || ids.length === 0) throw new ValidationError('ids', 'must be a non-empty array of entity IDs');
    const lockSet = [...new Set(ids.map((id, i) => entityInstanceId(validateEntityId(id, `ids[${i}]`))))].sort();
    const requestId = this.newGuid();
    this.#sendToEntity(lockSet[0]!, { kind: 'lock', id: requestId, lockSet, position: 0, ...this.#sender() });
    const lock: EntityLock = {
      entities: lockSet.map((id) => parseEntityInstanceId(id)!),
      release: () => {
        for (const entity of lockSet) this.#sendToEntity(entity, { kind: 'release', id: this.newGuid(), ...this.#sender() });
      },
    };
    return new EntityLockTask(this.recorder.waitForEvent(requestId), lock);
  }

  #sender(): { parent: string; parentExecutionId: string } {
    return { parent: this.instanceId, parentExecutionId: this.identity.executionId };
  }

  #sendToEntity(target: string, request: EntityRequest): void {
    this.recorder.schedule((id) => new EventSentTask(id, target, ENTITY_REQUEST_EVENT, request));
  }

  /** Ends this execution and starts a fresh one with `input` and an empty history. Return right after calling it. */
  continueAsNew(input: unknown, options: ContinueAsNewOptions = {}): void {
    if (options.version !== undefined) validateVersion(options.version, 'continueAsNew version');
    this.recorder.requestContinueAsNew(normalizePayload(input, 'continueAsNew input'), options);
  }

  setCustomStatus(value: unknown): void {
    this.recorder.setCustomStatus(normalizePayload(value, 'custom status') ?? null);
  }

  /** A UUID that is the same on every replay of this point in the orchestration. */
  newGuid(): string {
    this.#guidCounter += 1;
    return deterministicGuid(this.instanceId, this.#turnDate().toISOString(), this.#guidCounter);
  }

  /** @internal */
  setReplaying(replaying: boolean): void {
    this.#replaying = replaying;
  }
  /** @internal */
  setTurnTime(timestamp: string): void {
    this.#turnTime = timestamp;
    this.#now = undefined;
  }
  /** @internal */
  setInput(input: unknown): void {
    this.#input = input;
  }

  /** A draw in [0, 1) from its own counter, so it never shifts the values `newGuid` returns. */
  #deterministicRandom(): number {
    this.#randomCounter += 1;
    return deterministicFraction(this.instanceId, this.#turnDate().toISOString(), this.#randomCounter);
  }

  #turnDate(): Date {
    return (this.#now ??= new Date(this.#turnTime));
  }

  #withRetry<T>(policy: RetryPolicy, attempt: (previous?: TaskFailedError) => Task<T>): Task<T> {
    return new RetryableTask(policy, attempt, {
      now: () => this.currentUtcDateTime,
      createTimer: (fireAt) => this.createTimer(fireAt),
      random: () => this.#deterministicRandom(),
    });
  }
}

function activityTimeouts(options: CallActivityOptions): { timeoutMs?: number; heartbeatTimeoutMs?: number } {
  if (typeof options !== 'object' || options === null) throw new ValidationError('callActivity options', 'must be an object');
  const { timeoutMs, heartbeatTimeoutMs } = options;
  return {
    ...(timeoutMs === undefined ? {} : { timeoutMs: timeoutValue(timeoutMs, 'timeoutMs') }),
    ...(heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs: timeoutValue(heartbeatTimeoutMs, 'heartbeatTimeoutMs') }),
  };
}

function timeoutValue(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_ACTIVITY_TIMEOUT_MS) {
    throw new ValidationError(field, `must be a whole number of milliseconds from 1 to ${MAX_ACTIVITY_TIMEOUT_MS} (got ${String(value)})`);
  }
  return value;
}

function toRetryPolicy(retry: RetryPolicy | RetryPolicyOptions): RetryPolicy {
  return retry instanceof RetryPolicy ? retry : new RetryPolicy(retry);
}

function withInput(input: unknown): { input?: unknown } {
  return input === undefined ? {} : { input };
}

function refName(ref: string | { readonly name: string }): unknown {
  return typeof ref === 'string' ? ref : ref?.name;
}
