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
import { RetryableTask, type RetryPolicy } from './retry-policy.ts';
import { ActivityTask, EventSentTask, ExternalEventTask, SubOrchestrationTask, Task, TimerTask, type ScheduledTask } from './task.ts';

/** Something that names an activity: its registered handle or its name. */
export type ActivityRef<I, O> = string | { readonly name: string; readonly kind: 'activity'; readonly __types?: (input: I) => O };
/** Something that names an orchestration: its registered handle or its name. */
export type OrchestrationRef<I, O> = string | { readonly name: string; readonly kind: 'orchestration'; readonly __types?: (input: I) => O };

export interface ContinueAsNewOptions {
  /** Carry external events that arrived but were not yet awaited over to the new execution. */
  readonly preserveUnprocessedEvents?: boolean;
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
}

export interface OrchestrationIdentity {
  readonly instanceId: string;
  readonly executionId: string;
  readonly name: string;
  readonly parentInstanceId: string | undefined;
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

  callSubOrchestrator<I, O>(orchestration: OrchestrationRef<I, O>, input?: I, instanceId?: string): Task<O> {
    const name = validateFunctionName(refName(orchestration), 'orchestration name');
    const childId = instanceId === undefined ? undefined : validateInstanceId(instanceId, 'sub-orchestration instanceId');
    const payload = normalizePayload(input, `input of sub-orchestration '${name}'`);
    return this.recorder.schedule((id) => new SubOrchestrationTask<O>(id, name, childId ?? `${this.instanceId}:${id}`, payload));
  }

  callSubOrchestratorWithRetry<I, O>(
    orchestration: OrchestrationRef<I, O>,
    retryPolicy: RetryPolicy,
    input?: I,
    instanceId?: string,
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

  /** Ends this execution and starts a fresh one with `input` and an empty history. Return right after calling it. */
  continueAsNew(input: unknown, options: ContinueAsNewOptions = {}): void {
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

function refName(ref: string | { readonly name: string }): unknown {
  return typeof ref === 'string' ? ref : ref?.name;
}
