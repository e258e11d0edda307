/**
 * @module store
 * The one boundary between the engine and a database. A store stores and
 * leases; it never interprets history. Every method that writes is one
 * transaction, and batch methods are a list of independent units that share
 * one commit (group commit): each unit succeeds or fails on its own.
 *
 * Invariants every implementation keeps (the contract suite checks them):
 * - createInstances: start-if-absent is decided inside the transaction that
 *   writes, so at most one live instance exists per ID, whatever the race.
 * - commitOrchestrations: a unit is applied only if the instance's lease
 *   token still equals the one handed out at claim (fencing); otherwise it
 *   is rejected whole and reported as `leaseLost`. A `drainOnly` unit
 *   never changes the instance's status, result or times.
 * - Messages become visible to claims only once `visibleAt <= now`.
 * - Times are epoch milliseconds passed in by the caller; SQL never reads a clock.
 * - A fault of the database (disk full, read-only, corrupt, I/O error,
 *   unreachable) is thrown as StoreUnavailableError with its `reason`, never
 *   as a driver error, so callers (and HTTP: 503/507) can tell it from a bug.
 */
import type { FailureDetails } from '../model/failure.ts';
import type { HistoryEvent, InboxEvent, ParentRef } from '../model/history.ts';
import type { InstanceRecord } from '../model/instance.ts';
import type { TraceContext } from '../model/trace-context.ts';
import type { RuntimeStatus } from '../model/runtime-status.ts';
import type { StoreHealth } from './health.ts';

export type { StoreHealth } from './health.ts';

/**
 * What a start does when the ID is taken by a live instance: refuse, answer
 * the existing one, replace it, or (`queueLatest`) keep one pending start
 * that begins when the live instance finishes (the newest request wins).
 */
export type ConflictPolicy = 'reject' | 'useExisting' | 'terminateExisting' | 'queueLatest';

/** Why a start was refused: the ID is taken, or `useExisting` found an instance that is not the one asked for. */
export type ConflictReason = 'exists' | 'nameMismatch' | 'inputMismatch' | 'tombstone';

/**
 * What is left of an instance that was started with `keepTombstone` (the
 * client sets it for `reuseStatuses: []`) once it is purged: enough to keep
 * its ID used, and to say so. Removed only by `releaseInstanceId`.
 */
export interface Tombstone {
  readonly instanceId: string;
  readonly name: string;
  readonly executionId: string;
  /** The status the instance had when it was purged (always terminal). */
  readonly runtimeStatus: RuntimeStatus;
  readonly createdAt: number;
  readonly purgedAt: number;
}

export interface StartRequest {
  readonly instanceId: string;
  readonly name: string;
  /** The new execution's ID, chosen by the caller so the start is idempotent to describe. */
  readonly executionId: string;
  readonly input?: unknown;
  readonly onConflict: ConflictPolicy;
  /** Terminal statuses an existing instance may have and still be replaced by this start. */
  readonly reuseStatuses: readonly RuntimeStatus[];
  readonly parent?: ParentRef;
  /** Kept on the ExecutionStarted event as it is (the store never reads it): the instance's trace context. */
  readonly trace?: TraceContext;
  /** Kept on the ExecutionStarted event as it is: the orchestration version the instance runs under. */
  readonly version?: string;
  /** Delay the first turn (scheduled start); defaults to `now`. */
  readonly visibleAt?: number;
  /**
   * Lease the new execution to this owner in the same transaction, so the
   * starting host runs the first turn without claiming it. Ignored for a
   * delayed start. A store may ignore it: it then returns no work item and
   * the instance is claimed as usual.
   */
  readonly lease?: { readonly owner: string; readonly expiresAt: number };
  /**
   * Makes the start idempotent: kept with the instance (as long as the
   * instance), so a repeat of the same request answers `existing` with
   * `sameRequest`, whatever the instance's status and the conflict policy.
   */
  readonly requestId?: string;
  /** An opaque digest of the input (the caller's canonical hash), kept with the instance. */
  readonly inputHash?: string;
  /** With `useExisting`: an instance started with another `inputHash` is a conflict (`inputMismatch`). */
  readonly onInputMismatch?: 'error';
  /**
   * Signal-with-start: queued for the instance in the same transaction when
   * it is live afterwards (created, replaced, or an existing live instance).
   */
  readonly event?: InboxEvent;
  /**
   * Execution timeout: queued for the new execution in the start's
   * transaction, instance-wide (so a continue-as-new keeps it, and a
   * replacement's wipe drops it), visible only at `at`. Ignored unless the
   * start creates or replaces the instance.
   */
  readonly deadline?: { readonly at: number; readonly event: InboxEvent };
  /**
   * Keep a tombstone when this execution is purged, so the ID stays used
   * (the client sets it for `reuseStatuses: []`). Recorded with the instance.
   */
  readonly keepTombstone?: boolean;
  readonly now: number;
}

export type StartResult =
  | {
      readonly outcome: 'created' | 'replaced';
      readonly instance: InstanceRecord;
      /** The first turn, leased as the request asked: what a claim would have handed out then. */
      readonly workItem?: OrchestrationWorkItem;
    }
  | {
      readonly outcome: 'existing';
      readonly instance: InstanceRecord;
      /** The instance was started by this very request (same `requestId`). */
      readonly sameRequest?: true;
      /** The request's `event` was queued (the instance is live). */
      readonly eventDelivered?: boolean;
    }
  /** `queueLatest` on a live instance: the request is now the instance's pending start. */
  | { readonly outcome: 'queued'; readonly instance: InstanceRecord }
  | {
      readonly outcome: 'conflict';
      /** With reason `tombstone`: what the tombstone remembers of the purged instance (no input or output). */
      readonly instance: InstanceRecord;
      readonly reason: ConflictReason;
      /** Reason `tombstone`: the ID belongs to a purged instance whose tombstone keeps it used. */
      readonly tombstone?: Tombstone;
    };

/** The start that `queueLatest` keeps for a live instance: it begins when the instance finishes. */
export interface PendingStart {
  readonly instanceId: string;
  readonly name: string;
  readonly executionId: string;
  readonly input?: unknown;
  readonly requestId?: string;
  readonly inputHash?: string;
  readonly queuedAt: number;
}

/**
 * Creates the target instance if no instance has its ID, in the transaction
 * that queues the message: an idle Pending row with this name and execution
 * ID, no input and no ExecutionStarted message. Entities use it: their
 * operations create the instance they arrive at (entity-id.ts).
 */
export interface CreateIfMissing {
  readonly name: string;
  readonly executionId: string;
}

/** A message from a client (raise event, terminate, suspend, resume, rewind, entity signal). */
export interface ClientMessage {
  readonly instanceId: string;
  /** Create the instance first if it does not exist (otherwise the send answers `notFound`). */
  readonly createIfMissing?: CreateIfMissing;
  /** When the message becomes visible to claims; defaults to `now`. */
  readonly visibleAt?: number;
  readonly event: InboxEvent;
  /** The message is accepted only while the instance has one of these statuses. */
  readonly requireStatus: readonly RuntimeStatus[];
  /**
   * Makes the send idempotent: the first message with this ID for the
   * instance is queued and the ID kept with the instance (until it is purged
   * or replaced); a later one with the same ID is not queued again. The
   * fingerprint (chosen by the caller, e.g. a hash of name and payload) tells
   * a retry (`duplicate`) from a different message reusing the ID (`eventIdConflict`).
   */
  readonly eventId?: { readonly id: string; readonly fingerprint: string };
  readonly now: number;
}

export type SendResult =
  | { readonly outcome: 'sent' }
  /** The event ID was already used for this instance with the same fingerprint: nothing was queued. */
  | { readonly outcome: 'duplicate' }
  /** The event ID was already used for this instance with a different fingerprint: nothing was queued. */
  | { readonly outcome: 'eventIdConflict' }
  | { readonly outcome: 'notFound' }
  | { readonly outcome: 'wrongStatus'; readonly runtimeStatus: RuntimeStatus };

export interface InboxMessage {
  /** Opaque, unique within the store. */
  readonly id: string;
  /** Set for replies that belong to one execution (task results, timers); absent for instance-wide events. */
  readonly executionId?: string;
  readonly event: InboxEvent;
}

export interface ClaimOptions {
  /** Identifies the claiming worker, for diagnostics. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly limit: number;
  readonly now: number;
  /**
   * Hand out only work the claiming host can run (rolling deploys): absent,
   * any work. claimOrchestrations takes instances whose name is in
   * `orchestrations`, or, for an entity (instance ID `@name@key`), in
   * `entities`; claimActivities takes tasks whose name is in `activities`.
   * The rest is left as it is (not leased, not counted as a delivery) for a
   * host that can run it.
   */
  readonly runnable?: RunnableNames;
}

/** The names of the functions a host has registered, by kind (entity names lower-cased, as in entity IDs). */
export interface RunnableNames {
  readonly orchestrations: readonly string[];
  readonly activities: readonly string[];
  readonly entities: readonly string[];
}

export interface OrchestrationWorkItem {
  readonly instanceId: string;
  readonly name: string;
  readonly executionId: string;
  readonly runtimeStatus: RuntimeStatus;
  /** Number of events in the stored history; lets a worker reuse a cached replay. */
  readonly historyLength: number;
  /** Fencing token: must be presented at commit. */
  readonly leaseToken: number;
  /**
   * Which delivery of the pending turn this is: 1 the first time it is handed
   * out (claimed, or leased at start), one more on every claim until a commit
   * resets the count. Recorded in the transaction that leases the work, so
   * a delivery that kills its process is still counted.
   */
  readonly deliveries: number;
  /** Visible messages, oldest first. A suspended instance is handed only control messages. */
  readonly messages: readonly InboxMessage[];
}

export interface ActivityRequest {
  readonly taskId: number;
  readonly name: string;
  readonly input?: unknown;
  /**
   * Insert the task already leased because this host is running it now (turn
   * chaining); others claim it only after expiry.
   */
  readonly lease?: { readonly owner: string; readonly expiresAt: number };
  /**
   * Deliveries already counted for the task, stored as its attempt and lease
   * token (a claim adds one to both): by default 1 for a pre-leased task (the
   * run under way) and 0 otherwise. A worker sets 1 on an unleased task when
   * an earlier, unfinished delivery of the turn may have run it inline.
   */
  readonly attempt?: number;
  /** Start-to-close timeout: the first claim sets the task's deadline to claim time plus this. */
  readonly timeoutMs?: number;
  /** A claim's lease ends no later than claim time plus this, and each heartbeat stores the next deadline. */
  readonly heartbeatTimeoutMs?: number;
  /** Heartbeat details the task starts with (a retry attempt gets the failed attempt's last ones). */
  readonly heartbeatDetails?: unknown;
}

export interface OutboundMessage {
  readonly instanceId: string;
  readonly executionId?: string;
  readonly event: InboxEvent;
  readonly visibleAt: number;
  /** Create the target first if it does not exist (otherwise a message to a missing ID is dropped). */
  readonly createIfMissing?: CreateIfMissing;
}

export interface ChildStart {
  readonly request: StartRequest;
  /** Delivered to the parent if the child's ID is taken by a live instance; nothing is sent when absent. */
  readonly onConflictMessage?: OutboundMessage;
}

export interface OrchestrationCommit {
  readonly instanceId: string;
  readonly executionId: string;
  readonly leaseToken: number;
  readonly consumedMessageIds: readonly string[];
  /** Appended to the execution's history after the stored events. */
  readonly newEvents: readonly HistoryEvent[];
  readonly runtimeStatus: RuntimeStatus;
  readonly output?: unknown;
  readonly failure?: FailureDetails;
  /** `undefined` leaves the stored custom status unchanged; `null` clears it. */
  readonly customStatus?: unknown;
  /**
   * Replaces the instance's stored input when not `undefined` (an entity keeps
   * its state there between batches). Ignored with `continueAsNew`, whose input wins.
   */
  readonly input?: unknown;
  readonly activities: readonly ActivityRequest[];
  readonly messages: readonly OutboundMessage[];
  readonly childStarts: readonly ChildStart[];
  /** Replace the history with a fresh execution whose first message is `started`. */
  readonly continueAsNew?: {
    readonly executionId: string;
    /** The orchestration's name as claimed: lets a store write the new ExecutionStarted without reading the row. */
    readonly name?: string;
    readonly input?: unknown;
    /** Kept on the new execution's ExecutionStarted message, so a child that continues as new still reports to its parent. */
    readonly parent?: ParentRef;
    /** Kept on the new execution's ExecutionStarted message, as a start's. */
    readonly trace?: TraceContext;
    /** Kept on the new execution's ExecutionStarted message: its orchestration version. */
    readonly version?: string;
    readonly carryover: readonly InboxEvent[];
  };
  /**
   * The execution had already ended and the turn only drops late messages (a
   * result or a timer that arrived after completion or termination): only the
   * consumed messages are deleted and the lease released. The instance keeps
   * its status, output, failure, custom status and times, whatever the
   * commit's other fields say (it has no events, actions or messages).
   */
  readonly drainOnly?: boolean;
  readonly now: number;
}

export type CommitResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'leaseLost' };

export interface ActivityWorkItem {
  readonly id: string;
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskId: number;
  readonly name: string;
  readonly input?: unknown;
  /** The delivery count: 1 on first delivery; grows with every claim (an expired lease hands the task out again). */
  readonly attempt: number;
  readonly leaseToken: number;
  readonly timeoutMs?: number;
  readonly heartbeatTimeoutMs?: number;
  /** Start-to-close deadline (epoch ms), fixed by the task's first claim; present when it has `timeoutMs`. */
  readonly deadlineAt?: number;
  /**
   * The stored heartbeat deadline: set by the first claim to claim time plus
   * `heartbeatTimeoutMs`, then moved by each stored heartbeat. At or before
   * a later claim's `now`, an earlier delivery missed its heartbeat (its host
   * died, say) and the task has timed out.
   */
  readonly heartbeatDeadlineAt?: number;
  /** The last heartbeat details stored for the task (or those it was scheduled with). */
  readonly heartbeatDetails?: unknown;
}

/**
 * One heartbeat (or plain lease renewal) of a running activity task, written
 * under its lease token.
 */
export interface ActivityHeartbeat {
  readonly item: ActivityWorkItem;
  /** The new lease expiry. */
  readonly leaseExpiresAt: number;
  /** The new heartbeat deadline (tasks with `heartbeatTimeoutMs`). */
  readonly heartbeatDeadlineAt?: number;
  /** Replaces the stored heartbeat details when present. */
  readonly details?: { readonly value: unknown };
}

/**
 * What a heartbeat found: `held` (written), `lost` (another delivery holds
 * the task, or it is gone), `suspended` (its instance is suspended: nothing
 * written, the task stays for after the resume), `ended` (its execution is
 * no longer live, terminated or finished: the task was deleted).
 */
export type ActivityHeartbeatStatus = 'held' | 'lost' | 'suspended' | 'ended';

export type ActivityOutcome = { readonly result?: unknown } | { readonly failure: FailureDetails };

export interface ActivityCompletion {
  readonly item: ActivityWorkItem;
  readonly outcome: ActivityOutcome;
  readonly now: number;
}

export interface InstanceQuery {
  readonly runtimeStatus?: readonly RuntimeStatus[];
  readonly createdFrom?: number;
  readonly createdTo?: number;
  /**
   * Last changed (`updatedAt`) at or after this time, and at or before
   * `updatedTo`: both inclusive, as Durable Functions' entity query
   * (`lastOperationTimeFrom`/`To`) reads them.
   */
  readonly updatedFrom?: number;
  readonly updatedTo?: number;
  readonly name?: string;
  readonly instanceIdPrefix?: string;
  /**
   * Leave out entities' instances (IDs starting with `@`), as Durable Task's
   * `OrchestrationQuery.ExcludeEntities`. A filter on the page's rows: on a
   * store where a long run of entities comes first, a page reads past them.
   */
  readonly excludeEntities?: boolean;
  readonly pageSize: number;
  /** Opaque token returned by the previous page. */
  readonly continuationToken?: string;
}

/** Instances per runtime status; every status is present. */
export type InstanceCounts = Readonly<Record<RuntimeStatus, number>>;

export interface InstancePage {
  readonly instances: readonly InstanceRecord[];
  readonly continuationToken?: string;
}

export type PurgeFilter = (
  | {
      readonly instanceId: string;
      /**
       * Delete only if no message waits in its inbox, decided under the lock
       * that deletes (cleaning empty entities must not lose a signal in flight).
       */
      readonly onlyIfInboxEmpty?: boolean;
    }
  | {
      readonly createdFrom?: number;
      readonly createdTo?: number;
      /** Only terminal statuses may be purged; defaults to all terminal statuses. */
      readonly runtimeStatus?: readonly RuntimeStatus[];
      /** Only instances that finished before this time (epoch ms); retention uses it. */
      readonly completedTo?: number;
      /** Delete at most this many, then return (default: all that match); retention paces itself with it. */
      readonly limit?: number;
    }
) & {
  /** When the purge is made (epoch ms): the tombstones it leaves record it; default the instance's last change. */
  readonly now?: number;
};

/** Work ready now, by queue: what a host's `perdure_backlog{queue}` gauge shows. */
export interface Backlog {
  /** Instances with a visible message whose lease is free: turns waiting for a worker. */
  readonly orchestrations: number;
  /** Activity tasks visible and not leased. */
  readonly activities: number;
  /** Timers that fell due and have not been delivered (their TimerFired messages, visible). */
  readonly timers: number;
}

/**
 * A schedule as the store keeps it. Its definition and firing state are
 * JSON the store does not look inside; `version` makes every write a
 * compare-and-set, so hosts that race on one schedule never both win.
 */
export interface ScheduleRecord {
  readonly name: string;
  readonly definition: unknown;
  readonly state: unknown;
  readonly version: number;
  readonly updatedAt: number;
}

export interface ScheduleWrite {
  readonly name: string;
  /** The version the writer read, or 0 to create a schedule that must not exist yet. */
  readonly expectedVersion: number;
  /** The new definition and state, or `null` to delete the schedule. */
  readonly value: { readonly definition: unknown; readonly state: unknown } | null;
  readonly now: number;
}

/** Which queues got claimable work: instances with new messages, and/or unleased activity tasks. */
export interface ExternalWork {
  readonly orchestrations: boolean;
  readonly activities: boolean;
}

export interface Store {
  /** Human-readable description for startup logs, e.g. `sqlite:./.perdure/perdure.db`. */
  readonly description: string;
  migrate(): Promise<void>;
  close(): Promise<void>;

  createInstances(requests: readonly StartRequest[]): Promise<StartResult[]>;
  send(messages: readonly ClientMessage[]): Promise<SendResult[]>;
  getInstance(instanceId: string): Promise<InstanceRecord | undefined>;
  listInstances(query: InstanceQuery): Promise<InstancePage>;
  getHistory(instanceId: string): Promise<HistoryEvent[]>;
  /**
   * How many instances have each status, every status named (0 when none).
   * Read from counters kept in the transactions that change a status, so it
   * costs the same on a store of a million instances as on an empty one.
   */
  countInstancesByStatus(): Promise<InstanceCounts>;
  /**
   * Deletes terminal instances with their history; returns how many were
   * deleted. A filtered purge works in batches, each its own transaction,
   * and lets the event loop run between them.
   */
  purge(filter: PurgeFilter): Promise<number>;
  /**
   * Removes the tombstone of a purged instance (see Tombstone), so the ID can
   * be started again; returns it, or undefined if there was none.
   */
  releaseInstanceId(instanceId: string): Promise<Tombstone | undefined>;
  /** The start that `queueLatest` keeps for a live instance, if any. */
  getPendingStart(instanceId: string): Promise<PendingStart | undefined>;
  /** Every schedule, by name. */
  listSchedules(): Promise<ScheduleRecord[]>;
  /** Applies the write if the schedule's version still equals `expectedVersion`; returns whether it did. */
  writeSchedule(write: ScheduleWrite): Promise<boolean>;
  /**
   * Whether the store takes writes now: the last write outcome it saw, or a
   * write probe when that is older than a moment (health.ts). Never throws.
   */
  checkHealth(): Promise<StoreHealth>;

  claimOrchestrations(options: ClaimOptions): Promise<OrchestrationWorkItem[]>;
  commitOrchestrations(commits: readonly OrchestrationCommit[]): Promise<CommitResult[]>;
  /**
   * Hands leased orchestrations back so they can be claimed at once. By
   * default their turns never ran (graceful shutdown), so their deliveries are
   * taken back; `delivered: true` keeps them counted (a turn that ran and was
   * stopped without a result). `retryAt` keeps them from every claim until
   * then (a host that must not run them hands them back without spinning).
   */
  abandonOrchestrations(
    items: readonly Pick<OrchestrationWorkItem, 'instanceId' | 'leaseToken'>[],
    options?: { readonly delivered?: boolean; readonly retryAt?: number },
  ): Promise<void>;

  claimActivities(options: ClaimOptions): Promise<ActivityWorkItem[]>;
  /**
   * Deletes each task (if its lease token still matches) and delivers its result to the instance.
   * A task is identified by (instanceId, executionId, taskId); `id` is only for diagnostics.
   */
  completeActivities(completions: readonly ActivityCompletion[]): Promise<void>;
  abandonActivities(items: readonly ActivityWorkItem[]): Promise<void>;
  /** Heartbeat: moves the lease expiry of tasks still held under their token; returns the ones still held. */
  renewActivityLeases(items: readonly ActivityWorkItem[], expiresAt: number): Promise<ActivityWorkItem[]>;
  /**
   * Heartbeats of running tasks: for each held task whose instance still runs
   * its execution, moves the lease and heartbeat deadline and stores the
   * details. Answers, in order, what each found (ActivityHeartbeatStatus);
   * the task of an ended execution is deleted, so it never runs again.
   */
  heartbeatActivities(beats: readonly ActivityHeartbeat[]): Promise<ActivityHeartbeatStatus[]>;

  /** Earliest future time at which a message or activity becomes claimable, if any. */
  nextWakeAt(now: number): Promise<number | undefined>;
  /**
   * Counts the work ready at `now` (metrics). Reads only visible rows through
   * the visibility indexes: its cost grows with the backlog, not the store.
   * Optional, so stores written before it still fit; the host then has no backlog gauge.
   */
  countBacklog?(now: number): Promise<Backlog>;
  /**
   * The names of claimable work at `now` (visible, lease free) that a host
   * with these names would not claim: what no claim of that host will ever
   * take. Reads the visible rows, like countBacklog; a host calls it now and
   * then, not per claim, to warn about work it leaves waiting. Optional.
   */
  findUnrunnableNames?(runnable: RunnableNames, now: number): Promise<RunnableNames>;
  /**
   * Called when another process commits work (PostgreSQL NOTIFY), saying for
   * which workers, so that a host wakes only those; optional for single-process stores.
   */
  onExternalWork?(listener: (work: ExternalWork) => void): () => void;
}
