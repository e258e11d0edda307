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
import { RetryableTask, type RetryPolicy } from './retry-policy.ts';
import { ActivityTask, EventSentTask, ExternalEventTask, SubOrchestrationTask, Task, TimerTask, type ScheduledTask } from './task.ts';

/** Something that names an activity: its registered handle or its name. */
export type ActivityRef<I, O> = string | { readonly name: string; readonly kind: 'activity'; readonly __types?: (input: I) => O };
/** Something that names an orchestration: its registered handle or its name. */
export type OrchestrationRef<I, O> = string | { readonly name: string; readonly kind: 'orchestration'; readonly __types?: (input: I) => O };

export interface ContinueAsNewOptions {
  /** Carry external events that arrived but were not yet awaited over to the new execution. */
  readonly preserveUnprocessedEvents?: boolean;
  /** The next execution's version (default: this execution's): how an eternal orchestration moves to new code. */
  readonly version?: string;
}

/** How a sub-orchestration is started (the form that takes a version). */
export interface SubOrchestrationOptions {
  readonly instanceId?: string;
  /** The child's version; by default the parent's. */
  readonly version?: string;
}

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

  callActivity<I, O>(activity: ActivityRef<I, O>, input?: I): Task<O> {
    const name = validateFunctionName(refName(activity), 'activity name');
    const payload = normalizePayload(input, `input of activity '${name}'`);
    return this.recorder.schedule((id) => new ActivityTask<O>(id, name, payload));
  }

  callActivityWithRetry<I, O>(activity: ActivityRef<I, O>, retryPolicy: RetryPolicy, input?: I): Task<O> {
    return this.#withRetry(retryPolicy, () => this.callActivity(activity, input));
  }

  /** Starts a child; the last argument is its instance ID or `{ instanceId, version }` (the version defaults to this one's). */
  callSubOrchestrator<I, O>(orchestration: OrchestrationRef<I, O>, input?: I, instanceId?: string | SubOrchestrationOptions): Task<O> {
    const name = validateFunctionName(refName(orchestration), 'orchestration name');
    const options: SubOrchestrationOptions =
      typeof instanceId === 'string' ? { instanceId } : typeof instanceId === 'object' && instanceId !== null ? instanceId : {};
    const childId = options.instanceId === undefined ? undefined : validateInstanceId(options.instanceId, 'sub-orchestration instanceId');
    const version = options.version === undefined ? this.identity.version : validateVersion(options.version, 'version');
    const payload = normalizePayload(input, `input of sub-orchestration '${name}'`);
    return this.recorder.schedule((id) => new SubOrchestrationTask<O>(id, name, childId ?? `${this.instanceId}:${id}`, payload, version));
  }

  callSubOrchestratorWithRetry<I, O>(
    orchestration: OrchestrationRef<I, O>,
    retryPolicy: RetryPolicy,
    input?: I,
    instanceId?: string | SubOrchestrationOptions,
  ): Task<O> {
    // A fixed child ID is reused by each attempt: the failed child is terminal, so the default policy replaces it.
    return this.#withRetry(retryPolicy, () => this.callSubOrchestrator(orchestration, input, instanceId));
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
   * Release with the handle's `release()`.
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

  #withRetry<T>(policy: RetryPolicy, attempt: () => Task<T>): Task<T> {
    return new RetryableTask(policy, attempt, {
      now: () => this.currentUtcDateTime,
      createTimer: (fireAt) => this.createTimer(fireAt),
      random: () => this.#deterministicRandom(),
    });
  }
}

function withInput(input: unknown): { input?: unknown } {
  return input === undefined ? {} : { input };
}

function refName(ref: string | { readonly name: string }): unknown {
  return typeof ref === 'string' ? ref : ref?.name;
}
