/**
 * @module client
 * The durable client: start, query and control instances. Every input is
 * validated here, before anything is stored. Starting is one atomic
 * start-if-absent in the store, with the conflict policy applied inside the
 * same transaction; the client only translates the store's verdict.
 */
import { validateVersion } from '../model/version.ts';
import { randomUUID } from 'node:crypto';
import {
  EventIdConflictError,
  FunctionNotFoundError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidInstanceStateError,
  ValidationError,
  WaitForCompletionTimeoutError,
} from '../model/errors.ts';
import type { HistoryEvent, InboxEvent } from '../model/history.ts';
import { statusWithoutStackPaths, toOrchestrationStatus, type InstanceRecord, type OrchestrationStatus } from '../model/instance.ts';
import { assertNoNul, validateFunctionName, validateInstanceId } from '../model/instance-id.ts';
import { normalizePayload } from '../model/json.ts';
import { isTerminalStatus, LIVE_STATUSES, RuntimeStatus } from '../model/runtime-status.ts';
import type { OrchestrationRef } from '../orchestration/context.ts';
import type {
  ClientMessage,
  InstanceCounts,
  InstanceQuery,
  PendingStart,
  PurgeFilter,
  Store,
  StoreHealth,
  Tombstone,
} from '../store/store.ts';
import type { Clock } from '../runtime/clock.ts';
import type { CompletionNotifier } from '../worker/completion-notifier.ts';
import { eventFingerprint, validateEventId } from './event-id.ts';
import { checkStatusResponse, createHttpManagementPayload, type HttpManagementPayload } from './http-management.ts';
import { ScheduleClient } from './schedules.ts';
import { StartBatcher } from './start-batcher.ts';
import { SendBatcher } from './send-batcher.ts';
import {
  cleanEntityStorage,
  getEntity,
  listEntities,
  readEntityState,
  signalEntity,
  type CleanEntityStorageResult,
  type EntityClientDeps,
  type EntityMetadata,
  type EntityPage,
  type EntityStateResponse,
  type ListEntitiesQuery,
  type SignalEntityOptions,
} from './entity-client.ts';
import type { EntityId, OperationInput, OperationName, TypedEntityId } from '../model/entity-id.ts';
import { singletonStartFields, type SingletonStartOptions } from './start-options.ts';
import type { StartHandoff } from '../worker/start-handoff.ts';
import type { StartObserver } from './start-observer.ts';
import { purgeChildren } from './purge-tree.ts';
import { validateListQuery, validatePurgeFilter, type ListInstancesFilter, type PurgeInstancesFilter } from './filters.ts';

export interface StartNewOptions<I> extends SingletonStartOptions {
  /** Defaults to a random UUID. Choosing one makes the start a singleton start for that ID. */
  readonly instanceId?: string;
  readonly input?: I;
  /** Delay the first turn until this time. */
  readonly startAt?: Date;
  /**
   * The caller's W3C trace context (an HTTP start's `traceparent` and
   * `tracestate` headers); without it, the active OpenTelemetry context is
   * the start's parent. Used only when a tracing SDK is registered.
   */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** The orchestration version the instance runs under (`ctx.version`); default: the host's `defaultVersion`. */
  readonly version?: string;
}

/** What a check-status URL carries. */
export interface CheckStatusOptions {
  /**
   * Put the management key (`code=`) in the URLs (default false). Whoever
   * receives the answer can then use the whole management API, purge
   * included: ask for it only when the caller is trusted with that.
   */
  readonly includeManagementKey?: boolean;
}

export interface RaiseEventOptions {
  /** Makes the raise idempotent (HTTP: `Idempotency-Key`): 1–256 characters, no control characters. */
  readonly eventId?: string;
}

export interface TerminateOptions {
  readonly reason?: string;
  /** Terminate the instance's live sub-orchestrations too, and theirs (default true). */
  readonly recursive?: boolean;
}

export interface PurgeOptions {
  /** Purge the instance's finished sub-orchestrations too, and theirs (default false, as Durable Functions). */
  readonly recursive?: boolean;
}

export interface StartNewResult {
  readonly instanceId: string;
  /** `queued`: `queueLatest` kept this start; it begins when the live instance finishes. */
  readonly outcome: 'created' | 'existing' | 'replaced' | 'queued';
  readonly runtimeStatus: RuntimeStatus;
  /** The orchestration of the instance that now has the ID (the existing one's, for `existing` and `queued`). */
  readonly name: string;
  /** `existing` because this very request started it (same `requestId`). */
  readonly sameRequest?: true;
  /** With `event`: whether it was delivered (false when the existing instance has finished). */
  readonly eventDelivered?: boolean;
}

export interface GetStatusOptions {
  readonly showHistory?: boolean;
  readonly showHistoryOutput?: boolean;
  readonly showInput?: boolean;
}

/** What the client needs of an app: whether an orchestration is registered (a FunctionApp is one). */
export interface OrchestrationRegistry {
  getOrchestration(name: string): unknown;
}

export interface DurableClientOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly completions: CompletionNotifier;
  /** When given, starts of unregistered orchestrations are refused at the call. */
  readonly app?: OrchestrationRegistry;
  /** The key check-status URLs carry when a caller asks for it (`includeManagementKey`): the system key, or the master key. */
  readonly managementKey?: string;
  /** Keep absolute file paths in failure stacks served over HTTP (default false: cut to file names). */
  readonly showStackPaths?: boolean;
  readonly maxPayloadBytes: number;
  /** Stamped on every start that names no version (the host's `defaultVersion`). */
  readonly defaultVersion?: string;
  /** Called after this client committed work (a start, an event), so local workers look at once. */
  readonly onWork?: () => void;
  /** This host's orchestration worker: starts are leased to it and their first turn handed over (start-handoff.ts). */
  readonly handoff?: StartHandoff;
  /** Told of every start and its outcome: metrics, and the trace context to store (start-observer.ts). */
  readonly observer?: StartObserver;
  /** Called after a schedule changed through `schedules`, so this host's firing loop looks at once. */
  readonly onScheduleChange?: () => void;
}

export class DurableClient {
  /** Schedules at run time: create, update, pause, unpause, trigger, delete, list, describe. */
  readonly schedules: ScheduleClient;
  readonly #batcher: StartBatcher;
  readonly #entities: EntityClientDeps;
  /** Resolved once the host shuts down: every wait for completion ends then, so its caller can answer. */
  readonly #interrupted: Promise<void>;
  #interrupt!: () => void;
  #isInterrupted = false;
  constructor(private readonly options: DurableClientOptions) {
    this.#batcher = new StartBatcher(options.store);
    this.#entities = {
      store: options.store,
      batcher: new SendBatcher(options.store),
      now: () => options.clock.now(),
      maxPayloadBytes: options.maxPayloadBytes,
      onWork: options.onWork,
      observer: options.observer,
    };
    this.schedules = new ScheduleClient({
      store: options.store,
      clock: options.clock,
      maxPayloadBytes: options.maxPayloadBytes,
      onChange: () => options.onScheduleChange?.(),
    });
    this.#interrupted = new Promise((resolve) => (this.#interrupt = resolve));
  }

  /**
   * Ends every wait for completion now and any later one at once, as a
   * timeout would: a start-and-wait request then answers 202 with its
   * check-status payload, so its caller learns the instance ID before the
   * host goes away. Called when the host shuts down.
   */
  interruptWaits(): void {
    this.#isInterrupted = true;
    this.#interrupt();
  }

  async startNew<I>(orchestration: OrchestrationRef<I, unknown>, options: StartNewOptions<I> = {}): Promise<StartNewResult> {
    const name = validateFunctionName(typeof orchestration === 'string' ? orchestration : orchestration?.name, 'orchestration name');
    if (this.options.app && !this.options.app.getOrchestration(name)) throw new FunctionNotFoundError('orchestration', name);
    const instanceId = options.instanceId === undefined ? randomUUID() : validateInstanceId(options.instanceId);
    const input = normalizePayload(options.input, 'input', this.options.maxPayloadBytes);
    const now = this.options.clock.now();
    const version = options.version === undefined ? this.options.defaultVersion : validateVersion(options.version, 'version');
    const visibleAt = options.startAt === undefined ? undefined : validDate(options.startAt, 'startAt').getTime();
    const singleton = singletonStartFields(options, input, now, this.options.maxPayloadBytes, visibleAt ?? now);
    const lease = visibleAt === undefined && this.options.app ? this.options.handoff?.lease(now, name) : undefined;
    const executionId = randomUUID();
    const observed = this.options.observer?.before({ name, instanceId, executionId, ...traceHeaders(options) });
    let result;
    try {
      result = await this.#batcher.start({
        instanceId,
        name,
        executionId,
        input,
        ...singleton,
        now,
        ...(visibleAt === undefined ? {} : { visibleAt }),
        ...(lease === undefined ? {} : { lease }),
        ...(observed?.trace === undefined ? {} : { trace: observed.trace }),
        ...(version === undefined ? {} : { version }),
      });
    } catch (error) {
      observed?.after('failed');
      throw error;
    }
    observed?.after(result.outcome);
    if (result.outcome === 'conflict') {
      const purged = result.tombstone === undefined ? {} : { purgedTime: new Date(result.tombstone.purgedAt).toISOString() };
      throw new InstanceAlreadyExistsError({ ...existingInfo(result.instance), ...purged }, result.reason);
    }
    if (result.outcome === 'created' || result.outcome === 'replaced') {
      if (result.workItem) this.options.handoff!.accept(result.workItem);
      else this.options.onWork?.();
    } else if (result.outcome === 'existing' && result.eventDelivered === true) this.options.onWork?.();
    return {
      instanceId,
      outcome: result.outcome,
      runtimeStatus: result.instance.runtimeStatus,
      name: result.instance.name,
      ...(result.outcome === 'existing' && result.sameRequest ? { sameRequest: true } : {}),
      ...(result.outcome === 'existing' && result.eventDelivered !== undefined ? { eventDelivered: result.eventDelivered } : {}),
      ...(singleton.event !== undefined && result.outcome !== 'existing' ? { eventDelivered: result.outcome !== 'queued' } : {}),
    };
  }

  /** The start that `queueLatest` keeps behind a live instance, if any: it begins when the instance finishes. */
  async getPendingStart(instanceId: string): Promise<PendingStart | undefined> {
    return this.options.store.getPendingStart(validateInstanceId(instanceId));
  }

  async getStatus(instanceId: string, options: GetStatusOptions = {}): Promise<OrchestrationStatus | undefined> {
    return this.#status(instanceId, options, true);
  }

  /**
   * `withVersion`: read the version from the execution's ExecutionStarted (one more read: the
   * instance row has no column for it yet); waitForCompletion's polls skip it, to stay one read.
   */
  async #status(instanceId: string, options: GetStatusOptions, withVersion: boolean): Promise<OrchestrationStatus | undefined> {
    const record = await this.options.store.getInstance(validateInstanceId(instanceId));
    if (!record) return undefined;
    const status = toOrchestrationStatus(record, options);
    const wanted = options.showHistory === true || (withVersion && record.runtimeStatus !== 'Pending');
    const history = wanted ? await this.options.store.getHistory(instanceId) : [];
    const version = startedVersion(history);
    const versioned = version === undefined ? status : { ...status, version };
    if (!options.showHistory) return versioned;
    return { ...versioned, historyEvents: options.showHistoryOutput ? history : history.map(withoutOutput) };
  }

  /**
   * The current execution's history in Perdure's own shape, with inputs and results: what
   * `replayHistory` and `assertReplays` (perdure/testing) check today's code against.
   * Throws InstanceNotFoundError for an unknown instance.
   *
   * @example
   * writeFileSync('test/fixtures/histories/order-42.json', JSON.stringify(await client.getHistory('order-42')));
   */
  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    const id = validateInstanceId(instanceId);
    if (!(await this.options.store.getInstance(id))) throw new InstanceNotFoundError(id);
    return this.options.store.getHistory(id);
  }

  async listInstances(filter: ListInstancesFilter = {}): Promise<{ instances: OrchestrationStatus[]; continuationToken?: string }> {
    const query: InstanceQuery = validateListQuery(filter);
    const page = await this.options.store.listInstances(query);
    const instances = page.instances.map((r) => toOrchestrationStatus(r, { showInput: filter.showInput ?? false }));
    return { instances, ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
  }

  /**
   * How many instances have each status (every status named). Read from
   * counters the store keeps, so it is cheap on any store size.
   *
   * @example
   * const { Running, Failed } = await client.countInstancesByStatus();
   */
  countInstancesByStatus(): Promise<InstanceCounts> {
    return this.options.store.countInstancesByStatus();
  }

  /**
   * Queues an event for the instance. With `eventId`, a retried raise is
   * delivered once: the same ID with the same name and data again is
   * accepted without queueing anything (whatever the instance's status now);
   * with a different name or data it is an EventIdConflictError. IDs are
   * kept with the instance until it is purged or replaced.
   */
  async raiseEvent(instanceId: string, eventName: string, eventData?: unknown, options: RaiseEventOptions = {}): Promise<void> {
    const name = validateFunctionName(eventName, 'eventName');
    const input = normalizePayload(eventData, 'eventData', this.options.maxPayloadBytes);
    const eventId = options.eventId === undefined ? undefined : validateEventId(options.eventId);
    const event: InboxEvent = { type: 'EventRaised', timestamp: this.#timestamp(), name, ...(input === undefined ? {} : { input }) };
    const dedupe = eventId === undefined ? undefined : { id: eventId, fingerprint: eventFingerprint(name, input) };
    return this.#send(instanceId, event, LIVE_STATUSES, 'raise an event on', dedupe);
  }

  /**
   * Queues an operation for an entity, creating the entity if it does not
   * exist; resolves once the signal is stored. Signals from one client are
   * processed in the order they were sent (scheduled ones at their time).
   *
   * @example
   * await client.signalEntity(counter.id('a'), 'add', 5);
   * await client.signalEntity({ name: 'counter', key: 'a' }, 'reset', undefined, { at: new Date(Date.now() + 60_000) });
   */
  signalEntity<Ops, K extends OperationName<Ops>>(
    id: TypedEntityId<Ops>,
    operationName: K,
    input?: OperationInput<Ops, K>,
    options?: SignalEntityOptions,
  ): Promise<void>;
  signalEntity(id: EntityId, operationName: string, input?: unknown, options?: SignalEntityOptions): Promise<void>;
  signalEntity(id: EntityId, operationName: string, input?: unknown, options: SignalEntityOptions = {}): Promise<void> {
    return signalEntity(this.#entities, id, operationName, input, options);
  }

  /** The entity's state as of its last committed operation: `{ exists: false }` when it has none. */
  readEntityState<T = unknown>(id: EntityId | TypedEntityId<unknown>): Promise<EntityStateResponse<T>> {
    return readEntityState<T>(this.options.store, id);
  }

  /**
   * An entity's metadata (last operation time, lock holder, queued requests; its state with
   * `includeState`), as Durable Task's `getEntity`; undefined when no instance holds it. An entity
   * whose state was deleted is answered with `exists: false`.
   */
  getEntity(id: EntityId, options: { includeState?: boolean } = {}): Promise<EntityMetadata | undefined> {
    return getEntity(this.options.store, id, options.includeState === true);
  }

  /** A page of entities (of one name, and keys with a prefix), with a token for the next page. */
  listEntities(query: ListEntitiesQuery = {}): Promise<EntityPage> {
    return listEntities(this.options.store, query);
  }

  /** Removes entities without state, and releases locks held by orchestrations that ended or are gone. */
  cleanEntityStorage(): Promise<CleanEntityStorageResult> {
    return cleanEntityStorage(this.#entities);
  }

  /** Whether the store takes writes now (for health checks): cached for a moment, then probed. Never throws. */
  checkStoreHealth(): Promise<StoreHealth> {
    return this.options.store.checkHealth();
  }

  /**
   * Ends a live instance without running its code. By default its live
   * sub-orchestrations (and theirs) are terminated too; `{ recursive: false }`
   * leaves them running. A reason as the second argument is Durable Functions' form.
   */
  async terminate(instanceId: string, options?: string | TerminateOptions): Promise<void> {
    // `typeof` alone: apps compiled without strictNullChecks see these declarations too.
    const { reason, recursive }: TerminateOptions = typeof options === 'object' ? (options ?? {}) : { reason: options };
    if (recursive !== undefined && typeof recursive !== 'boolean') throw new ValidationError('recursive', 'must be true or false');
    return this.#send(
      instanceId,
      { type: 'ExecutionTerminated', timestamp: this.#timestamp(), ...reasonOf(reason), ...(recursive === false ? { recursive } : {}) },
      LIVE_STATUSES,
      'terminate',
    );
  }
  async suspend(instanceId: string, reason?: string): Promise<void> {
    return this.#send(
      instanceId,
      { type: 'ExecutionSuspended', timestamp: this.#timestamp(), ...reasonOf(reason) },
      LIVE_STATUSES,
      'suspend',
    );
  }
  async resume(instanceId: string, reason?: string): Promise<void> {
    return this.#send(instanceId, { type: 'ExecutionResumed', timestamp: this.#timestamp(), ...reasonOf(reason) }, LIVE_STATUSES, 'resume');
  }
  /** Retries the failed tasks of a Failed instance from where it failed. */
  async rewind(instanceId: string, reason?: string): Promise<void> {
    return this.#send(
      instanceId,
      { type: 'ExecutionRewound', timestamp: this.#timestamp(), ...reasonOf(reason) },
      [RuntimeStatus.Failed],
      'rewind',
    );
  }

  /**
   * Starts the instance's orchestration again with its original input, under a new ID (default) or the same one.
   * A same-ID restart of a live instance is a conflict (InstanceAlreadyExistsError), decided by the store's
   * atomic start-if-absent like any other start.
   */
  async restart(instanceId: string, options: { newInstanceId?: boolean | string } = {}): Promise<StartNewResult> {
    const record = await this.#require(instanceId);
    const fresh = options.newInstanceId ?? true;
    const newId = fresh === false ? instanceId : fresh === true ? randomUUID() : fresh;
    return this.startNew(record.name, { instanceId: newId, input: record.input });
  }

  /**
   * Deletes a finished instance and its history. With `{ recursive: true }`
   * its sub-orchestrations are purged too, and theirs (Durable Functions'
   * default: false). Children are purged before their parent, so a purge cut
   * short can be run again; a child still live (an 'abandon' child) is kept.
   */
  async purgeInstanceHistory(instanceId: string, options: PurgeOptions = {}): Promise<{ instancesDeleted: number }> {
    const recursive = options?.recursive ?? false;
    if (typeof recursive !== 'boolean') throw new ValidationError('recursive', 'must be true or false');
    const record = await this.#require(instanceId);
    if (!isTerminalStatus(record.runtimeStatus)) throw new InvalidInstanceStateError(instanceId, 'purge', record.runtimeStatus);
    const now = this.options.clock.now();
    const children = recursive ? await purgeChildren(this.options.store, instanceId, now) : 0;
    return { instancesDeleted: children + (await this.options.store.purge({ instanceId, now })) };
  }

  async purgeInstances(filter: PurgeInstancesFilter): Promise<{ instancesDeleted: number }> {
    const purge: PurgeFilter = { ...validatePurgeFilter(filter), now: this.options.clock.now() };
    return { instancesDeleted: await this.options.store.purge(purge) };
  }

  /**
   * Frees an instance ID that a purged `reuseStatuses: []` instance keeps used
   * (its tombstone), on purpose. Answers the tombstone removed, if there was one.
   *
   * @example
   * await client.releaseInstanceId('payment-42'); // payment-42 may be started again
   */
  async releaseInstanceId(instanceId: string): Promise<{ released: boolean; tombstone?: Tombstone }> {
    const tombstone = await this.options.store.releaseInstanceId(validateInstanceId(instanceId));
    return tombstone === undefined ? { released: false } : { released: true, tombstone };
  }

  /** Resolves with the final status (Completed, Failed or Terminated); throws WaitForCompletionTimeoutError. */
  async waitForCompletion(instanceId: string, options: { timeoutMs?: number; pollIntervalMs?: number } = {}): Promise<OrchestrationStatus> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    // Local workers wake waiters at once; the poll only catches progress made by other hosts, so
    // there is none while this host's worker holds the instance. A held instance exists and changes
    // only when the worker lets go, so it is first read then.
    if (this.options.completions.isHeld(instanceId)) await this.#unlessInterrupted(this.options.completions.wait(instanceId, timeoutMs));
    let poll = 50;
    for (;;) {
      const status = await this.#status(instanceId, {}, false);
      if (!status) throw new InstanceNotFoundError(instanceId);
      if (isTerminalStatus(status.runtimeStatus)) return status;
      const left = deadline - Date.now();
      if (left <= 0 || this.#isInterrupted) throw new WaitForCompletionTimeoutError(instanceId, timeoutMs);
      await this.#unlessInterrupted(this.options.completions.wait(instanceId, poll, left));
      poll = Math.min(poll * 2, options.pollIntervalMs ?? 1_000);
    }
  }

  createHttpManagementPayload(instanceId: string, origin: string, options: CheckStatusOptions = {}): HttpManagementPayload {
    return createHttpManagementPayload(origin, validateInstanceId(instanceId), this.#keyFor(options));
  }

  createCheckStatusResponse(request: Request, instanceId: string, options: CheckStatusOptions = {}): Response {
    return checkStatusResponse(request, validateInstanceId(instanceId), this.#keyFor(options));
  }

  /** The status as it may be served over HTTP: failure stacks without absolute paths, unless the host keeps them. */
  forHttp(status: OrchestrationStatus): OrchestrationStatus {
    return this.options.showStackPaths ? status : statusWithoutStackPaths(status);
  }

  /**
   * As Durable Functions' client: 200 with the output on completion, 200 with the status once terminated,
   * 500 with the status on failure, 202 with the check-status body on timeout.
   */
  async waitForCompletionOrCreateCheckStatusResponse(
    request: Request,
    instanceId: string,
    options: { timeoutMs?: number; retryIntervalMs?: number } & CheckStatusOptions = {},
  ): Promise<Response> {
    try {
      const status = await this.waitForCompletion(instanceId, {
        timeoutMs: options.timeoutMs ?? 10_000,
        pollIntervalMs: options.retryIntervalMs ?? 1_000,
      });
      if (status.runtimeStatus === RuntimeStatus.Completed) return Response.json(status.output ?? null, { status: 200 });
      return Response.json(this.forHttp(status), { status: status.runtimeStatus === RuntimeStatus.Failed ? 500 : 200 });
    } catch (error) {
      if (error instanceof WaitForCompletionTimeoutError) return this.createCheckStatusResponse(request, instanceId, options);
      throw error;
    }
  }

  #keyFor(options: CheckStatusOptions): string | undefined {
    return options.includeManagementKey === true ? this.options.managementKey : undefined;
  }

  async #unlessInterrupted(wait: Promise<unknown>): Promise<void> {
    await Promise.race([wait, this.#interrupted]);
  }

  async #send(
    instanceId: string,
    event: InboxEvent,
    requireStatus: readonly RuntimeStatus[],
    operation: string,
    eventId?: ClientMessage['eventId'],
  ): Promise<void> {
    const id = validateInstanceId(instanceId);
    const message: ClientMessage = { instanceId: id, event, requireStatus, now: this.options.clock.now(), ...(eventId ? { eventId } : {}) };
    const [result] = await this.options.store.send([message]);
    if (result?.outcome === 'notFound') throw new InstanceNotFoundError(id);
    if (result?.outcome === 'wrongStatus') throw new InvalidInstanceStateError(id, operation, result.runtimeStatus);
    if (result?.outcome === 'eventIdConflict') throw new EventIdConflictError(id, eventId!.id);
    if (result?.outcome === 'sent') this.options.onWork?.();
  }

  async #require(instanceId: string): Promise<InstanceRecord> {
    const record = await this.options.store.getInstance(validateInstanceId(instanceId));
    if (!record) throw new InstanceNotFoundError(instanceId);
    return record;
  }

  #timestamp(): string {
    return new Date(this.options.clock.now()).toISOString();
  }
}

function validDate(value: unknown, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new ValidationError(field, 'must be a valid Date');
  return value;
}

function reasonOf(reason: string | undefined): { reason?: string } {
  if (reason === undefined) return {};
  if (typeof reason !== 'string' || reason.length > 4096)
    throw new ValidationError('reason', 'must be a string of at most 4096 characters');
  assertNoNul(reason, 'reason');
  return { reason };
}

function existingInfo(record: InstanceRecord) {
  return {
    instanceId: record.instanceId,
    name: record.name,
    runtimeStatus: record.runtimeStatus,
    createdTime: new Date(record.createdAt).toISOString(),
  };
}

function withoutOutput(event: HistoryEvent): HistoryEvent {
  if ('result' in event) {
    const { result: _result, ...rest } = event;
    return rest;
  }
  return event;
}

/** A malformed `traceparent` is ignored, as W3C asks; one that is not a string is the caller's bug. */
function traceHeaders(options: StartNewOptions<unknown>): { traceparent?: string; tracestate?: string } {
  const { traceparent, tracestate } = options;
  if (traceparent === undefined) return {};
  if (typeof traceparent !== 'string') throw new ValidationError('traceparent', 'must be a string');
  if (tracestate !== undefined && typeof tracestate !== 'string') throw new ValidationError('tracestate', 'must be a string');
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

/** The version on an execution's ExecutionStarted event, if it has one. */
function startedVersion(history: readonly HistoryEvent[]): string | undefined {
  for (const event of history) if (event.type === 'ExecutionStarted') return event.version;
  return undefined;
}
