/**
 * @module orchestration-worker
 * Claims instances that have new messages, runs one turn for each, and
 * commits the whole batch in one transaction (group commit). Each instance
 * is single-threaded: the store's lease hands it to one worker at a time,
 * and a commit under a lease that was since taken over is rejected.
 *
 * Starts made by this host arrive already leased (start-handoff.ts). A step
 * runs those or claims, in turn, so a flood of local starts never starves
 * instances that wait for a claim (activity results, timers, events).
 *
 * A claim is a write transaction, so the worker claims only when it may find
 * something: on a poll, when this host committed claimable work
 * (`claimsDue`), after a full batch, and at least every CLAIM_EVERY_MS
 * while busy, so work from other processes is never starved by local starts.
 *
 * It runs only work whose function this host registered (rolling deploys):
 * its claims name them (ClaimOptions `runnable`), a start of another name is
 * not leased to it, and an item of another name (from a store that ignores
 * `runnable`) is handed back, never failed.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ExecutionStartedEvent, HistoryEvent } from '../model/history.ts';
import { isTerminalStatus, RuntimeStatus } from '../model/runtime-status.ts';
import type { ReplaySafeLogger } from '../orchestration/context.ts';
import type { OrchestrationExecutor } from '../orchestration/executor.ts';
import { replayHistory } from '../orchestration/replay.ts';
import { runRewindTurn } from '../orchestration/rewind.ts';
import { drainTurn, failedTurn, type TurnRequest, type TurnResult } from '../orchestration/turn.ts';
import type { ActivityOutcome, OrchestrationCommit, OrchestrationWorkItem, Store } from '../store/store.ts';
import type { ActivityWorker } from './activity-worker.ts';
import { runChain } from './turn-chain.ts';
import type { FunctionApp } from '../runtime/app.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Telemetry } from '../runtime/telemetry.ts';
import { SessionCache } from './session-cache.ts';
import type { StartHandoff } from './start-handoff.ts';
import { committedTurn, toCommit } from './turn-commit.ts';
import { TurnBudgetExceeded, type TurnGuard } from './turn-guard.ts';
import { codelessTurn, overrunTurn, runsNoCode, startedParent } from './codeless-turns.ts';
import { isEntityInstanceId, parseEntityInstanceId } from '../model/entity-id.ts';
import type { UnrunnableWorkWarner } from './unrunnable-work.ts';
import { entityBatchFor } from './entity-batch.ts';
import { judgeVersion, REJECT_BACKOFF_MS, versionOf, type VersionPolicy } from './version-gate.ts';

/** While handed-over turns keep a worker busy, it still claims at least this often. */
const CLAIM_EVERY_MS = 10;

export interface OrchestrationWorkerOptions {
  readonly store: Store;
  readonly app: FunctionApp;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly owner: string;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly sessionCacheSize: number;
  /** Deliveries of a turn that may end without a result before the instance fails (poison protection). */
  readonly maxDeliveries: number;
  /** Runs orchestrator code so that it can be stopped (turn-guard.ts). */
  readonly guard: TurnGuard;
  readonly turnBudgetMs: number;
  /** Turn chaining: run this host's activities inline and commit several turns at once (see turn-chain.ts). */
  readonly chaining?: {
    readonly activities: ActivityWorker;
    readonly windowMs: number;
    readonly maxTurns: number;
    readonly activityLeaseMs: number;
  };
  /** Called after each committed batch: new activities or messages may be waiting. */
  readonly onCommitted: (outcome: CommittedBatch) => void;
  /** Metrics and spans of committed turns (runtime/telemetry.ts). */
  readonly telemetry?: Telemetry;
  /** Told when this worker takes an instance's lease and when it lets go (committed, lost or handed back). */
  readonly holds?: { hold(instanceId: string): void; release(instanceId: string): void };
  /** Warns once per name about work this host cannot run (unrunnable-work.ts). */
  readonly warner?: UnrunnableWorkWarner;
  /** Which instance versions this host's code may run (version-gate.ts); absent: any. */
  readonly versioning?: VersionPolicy;
}

export interface CommittedBatch {
  /** Unleased activity tasks were queued. */
  readonly queuedActivities: boolean;
  /** Messages were sent to instances (including children started). */
  readonly sentMessages: boolean;
}

interface PreparedTurn {
  readonly item: OrchestrationWorkItem;
  /** An entity batch's commit, made without a turn (entity-batch.ts). */
  readonly commit?: OrchestrationCommit;
  /** Undefined when the turn overran its budget and gets another delivery: nothing to commit. */
  readonly turn: TurnResult | undefined;
  /** This host has not registered the item's function: hand it back untouched. */
  readonly notHere?: true;
  readonly executor: OrchestrationExecutor | undefined;
  /** Inline activities still running when the chain stopped: committed leased to this host. */
  readonly running?: ReadonlyMap<number, Promise<ActivityOutcome>>;
  /** This host's version does not accept the instance: hand the turn back, uncommitted, for another host. */
  readonly rejected?: true;
}

export class OrchestrationWorker implements StartHandoff {
  readonly #sessions: SessionCache;
  /** First turns of this host's starts, leased to it in the start's transaction. */
  #handed: OrchestrationWorkItem[] = [];
  #lastStepHanded = false;
  #claimDue = true;
  #lastClaimAt = Number.NEGATIVE_INFINITY;
  #closed = false;
  /** `name@version` pairs already warned about, so a refused instance logs once, not on every claim. */
  readonly #warnedVersions = new Set<string>();
  constructor(private readonly options: OrchestrationWorkerOptions) {
    this.#sessions = new SessionCache(options.sessionCacheSize);
  }

  lease(now: number, name: string): { owner: string; expiresAt: number } | undefined {
    if (this.#closed || !this.options.app.getOrchestration(name)) return undefined;
    return { owner: this.options.owner, expiresAt: now + this.options.leaseMs };
  }

  /** Queues a handed-over first turn; the caller wakes the loop. */
  accept(item: OrchestrationWorkItem): void {
    this.options.holds?.hold(item.instanceId);
    if (!this.#closed && this.#canRun(item)) return void this.#handed.push(item);
    this.#abandon([item]);
  }

  /** Local work that a claim would find was committed (activity results, messages, events). */
  claimsDue(): void {
    this.#claimDue = true;
  }

  /** Takes no more handed-over turns, and hands back those not yet run so another host can claim them. */
  close(): void {
    this.#closed = true;
    this.#abandon(this.#handed.splice(0));
  }

  /** One claim-run-commit round; returns whether there was work. `poll`: look in the store even if nothing local is due. */
  async step(poll = true): Promise<boolean> {
    const items = await this.#nextItems(poll);
    if (items.length === 0) return false;
    try {
      await this.#run(items);
    } finally {
      for (const item of items) this.options.holds?.release(item.instanceId);
    }
    return true;
  }

  async #run(items: readonly OrchestrationWorkItem[]): Promise<void> {
    const { store, clock } = this.options;
    const all = await Promise.all(items.map((item) => this.#prepare(item)));
    await this.#handBack(all.filter((p) => p.notHere).map((p) => p.item));
    const overrun = all.filter((p) => p.turn === undefined && p.commit === undefined && !p.notHere && !p.rejected).map((p) => p.item);
    if (overrun.length > 0) await this.#redeliver(overrun);
    const rejected = all.filter((p) => p.rejected).map((p) => p.item);
    if (rejected.length > 0) await this.#refuse(rejected);
    const prepared = all.filter((p) => p.turn !== undefined || p.commit !== undefined);
    const now = clock.now();
    const commits = prepared.map(
      (p) => p.commit ?? this.#leaseRunning(this.#commitOf(p as PreparedTurn & { turn: TurnResult }, now), p.running, now),
    );
    const committing = performance.now();
    const results = await store.commitOrchestrations(commits);
    const telemetry = this.options.telemetry;
    telemetry?.metrics.committed('orchestrations', (performance.now() - committing) / 1000);
    let queuedActivities = false;
    let sentMessages = false;
    results.forEach((result, index) => {
      const { item, turn, executor, running } = prepared[index]!;
      if (!result.ok) return this.#leaseLost(item);
      const commit = commits[index]!;
      // An entity batch may have left messages queued (past its deadline, or beyond a claim's
      // message limit): claim again at once rather than at the next idle poll.
      if (prepared[index]!.commit !== undefined) {
        this.#claimDue = true;
        telemetry?.entityBatchCommitted(commit);
      } else if (turn && !turn.drainOnly) telemetry?.turnCommitted(committedTurn(item, turn, commit, executor));
      this.#adoptRunning(item, commit, running);
      queuedActivities ||= commit.activities.some((a) => !a.lease);
      sentMessages ||= commit.messages.length > 0 || commit.childStarts.length > 0 || commit.continueAsNew !== undefined;
      if (executor && turn && !turn.ended) {
        this.#sessions.put(item.instanceId, {
          executor,
          executionId: item.executionId,
          historyLength: item.historyLength + turn.newEvents.length,
        });
      }
    });
    this.options.onCommitted({ queuedActivities, sentMessages });
  }

  #leaseLost(item: OrchestrationWorkItem): void {
    this.options.telemetry?.metrics.leaseLost();
    const fields = { instanceId: item.instanceId, executionId: item.executionId, name: item.name };
    this.options.logger.warn(`[perdure] lease on '${item.instanceId}' was lost; its turn was discarded`, fields);
  }

  /** Handed-over turns and claims take turns, so neither starves the other. */
  async #nextItems(poll: boolean): Promise<OrchestrationWorkItem[]> {
    const { store, clock, owner, leaseMs, batchSize } = this.options;
    const now = clock.now();
    const claim = poll || this.#claimDue || now - this.#lastClaimAt >= CLAIM_EVERY_MS;
    if (this.#handed.length > 0 && !(claim && this.#lastStepHanded)) return this.#takeHanded();
    this.#lastStepHanded = false;
    if (!claim) return [];
    this.#claimDue = false;
    this.#lastClaimAt = now;
    const claimed = await store.claimOrchestrations({ owner, leaseMs, limit: batchSize, now, runnable: this.options.app.runnableNames });
    for (const item of claimed) this.options.holds?.hold(item.instanceId);
    if (claimed.length >= batchSize) this.#claimDue = true; // more may be waiting
    return claimed.length > 0 || this.#handed.length === 0 ? claimed : this.#takeHanded();
  }

  #takeHanded(): OrchestrationWorkItem[] {
    this.#lastStepHanded = true;
    return this.#handed.splice(0, this.options.batchSize);
  }

  /**
   * Hands back turns stopped by their budget, their deliveries still counted,
   * so that they are claimed again at once (the step that ran them releases
   * the holds).
   */
  async #redeliver(items: OrchestrationWorkItem[]): Promise<void> {
    try {
      await this.options.store.abandonOrchestrations(items, { delivered: true });
      this.#claimDue = true;
    } catch (error) {
      this.options.logger.error('[perdure] could not hand back stopped turns; they wait for their lease to expire', error);
    }
  }

  /**
   * Hands back items this host cannot run (a store that ignores `runnable`),
   * their deliveries taken back; only the next poll claims again, so a host
   * that lacks the function does not spin on them.
   */
  async #handBack(items: OrchestrationWorkItem[]): Promise<void> {
    if (items.length === 0) return;
    for (const item of items) this.#warnNotHere(item);
    try {
      await this.options.store.abandonOrchestrations(items);
    } catch (error) {
      this.options.logger.error('[perdure] could not hand back instances this host cannot run; they wait for their lease to expire', error);
    }
  }

  /** Whether this host registered the item's orchestration, or its entity. */
  #canRun(item: OrchestrationWorkItem): boolean {
    const entity = parseEntityInstanceId(item.instanceId);
    return entity ? this.options.app.getEntity(entity.name) !== undefined : this.options.app.getOrchestration(item.name) !== undefined;
  }

  #warnNotHere(item: OrchestrationWorkItem): void {
    const entity = parseEntityInstanceId(item.instanceId);
    this.options.warner?.warn(entity ? 'entities' : 'orchestrations', entity ? entity.name : item.name);
  }

  /** Hands back turns of versions this host refuses, not claimable for a moment, so that no host spins on them. */
  async #refuse(items: OrchestrationWorkItem[]): Promise<void> {
    try {
      await this.options.store.abandonOrchestrations(items, { retryAt: this.options.clock.now() + REJECT_BACKOFF_MS });
    } catch (error) {
      this.options.logger.error('[perdure] could not hand back refused turns; they wait for their lease to expire', error);
    }
  }

  /** Hands back turns that never ran; their deliveries are taken back. */
  #abandon(items: OrchestrationWorkItem[]): void {
    if (items.length === 0) return;
    this.options.store
      .abandonOrchestrations(items)
      .catch((error) =>
        this.options.logger.error('[perdure] could not hand back started instances; they wait for their lease to expire', error),
      )
      .finally(() => {
        for (const item of items) this.options.holds?.release(item.instanceId);
      });
  }

  async #prepare(item: OrchestrationWorkItem): Promise<PreparedTurn> {
    if (!this.#canRun(item)) return { item, turn: undefined, executor: undefined, notHere: true };
    if (isEntityInstanceId(item.instanceId))
      return { item, turn: undefined, executor: undefined, commit: await entityBatchFor(this.options, item) };
    const request: TurnRequest = {
      executionId: item.executionId,
      runtimeStatus: item.runtimeStatus,
      messages: item.messages,
      now: this.options.clock.now(),
      newId: randomUUID,
    };
    if (isTerminalStatus(item.runtimeStatus)) return { item, turn: await this.#terminalTurn(item, request), executor: undefined };
    if (runsNoCode(item, this.options.maxDeliveries)) {
      this.#sessions.take(item.instanceId, item.executionId, item.historyLength); // whatever it held is over
      return { item, turn: await codelessTurn(this.options, item, request), executor: undefined };
    }
    let executor: OrchestrationExecutor | undefined;
    const began = performance.now();
    try {
      executor = this.#sessions.take(item.instanceId, item.executionId, item.historyLength);
      if (!executor) {
        const admitted = await this.#admit(item, request);
        if (!('history' in admitted)) return admitted;
        executor = await this.#replay(item, admitted.history);
      }
      // Before the chain: activities it runs inline report their spans before anything is committed.
      this.options.telemetry?.remember(executor.startedEvent ?? startOf(item));
      const chaining = this.options.chaining;
      // A redelivered turn may be what killed the last host (an inline activity, say): run it alone,
      // and let its activities go through the queue, where each delivery is counted.
      const chain = chaining && chaining.windowMs > 0 && item.deliveries <= 1;
      const chained = await runChain(executor, request, {
        guard: this.options.guard,
        now: () => this.options.clock.now(),
        ...(chain
          ? {
              chaining: {
                runner: chaining.activities,
                windowMs: chaining.windowMs,
                maxTurns: chaining.maxTurns,
                sliceMs: this.options.turnBudgetMs > 0 ? this.options.turnBudgetMs / 10 : Infinity,
              },
            }
          : {}),
      });
      this.options.telemetry?.metrics.turnRan((performance.now() - began) / 1000);
      return { item, turn: chained.turn, executor, running: chained.running };
    } catch (error) {
      if (error instanceof TurnBudgetExceeded) return { item, turn: await overrunTurn(this.options, item, request), executor: undefined };
      return { item, turn: failedTurn(request, error, executor?.parent ?? startedParent(item)), executor: undefined };
    }
  }

  /**
   * The store commit for a turn. Activities queued by a redelivered turn may
   * have run inline in the delivery that did not finish: they start at
   * attempt 1 already, so their first claim reports attempt 2.
   */
  #commitOf({ item, turn, executor }: PreparedTurn & { turn: TurnResult }, now: number): OrchestrationCommit {
    const commit = toCommit(item, turn, now, randomUUID, executor?.startedEvent?.trace);
    if (item.deliveries <= 1 || commit.activities.length === 0) return commit;
    return { ...commit, activities: commit.activities.map((a) => ({ ...a, attempt: 1 })) };
  }

  /**
   * The stored history, or, when this host's version does not accept the
   * instance's, the prepared turn that ends it here: rejected, or failed.
   */
  async #admit(item: OrchestrationWorkItem, request: TurnRequest): Promise<{ history: HistoryEvent[] } | PreparedTurn> {
    const history = item.historyLength === 0 ? [] : await this.options.store.getHistory(item.instanceId);
    const version = versionOf(item, history);
    const verdict = judgeVersion(this.options.versioning, item.name, version);
    if (verdict.action === 'run') return { history };
    if (verdict.action === 'fail') {
      const parent = startedParent(item) ?? history.find((e) => e.type === 'ExecutionStarted')?.parent;
      return { item, turn: failedTurn(request, verdict.error, parent), executor: undefined };
    }
    const key = `${item.name}@${version ?? ''}`;
    if (!this.#warnedVersions.has(key)) {
      this.#warnedVersions.add(key);
      const hostVersion = this.options.versioning!.version;
      this.options.logger.warn(
        `[perdure] '${item.name}' instances at version '${version ?? ''}' are left for a host that accepts them (this host runs '${hostVersion}')`,
        { instanceId: item.instanceId, name: item.name, version: version ?? '', hostVersion },
      );
    }
    return { item, turn: undefined, executor: undefined, rejected: true };
  }

  async #replay(item: OrchestrationWorkItem, history: HistoryEvent[]): Promise<OrchestrationExecutor> {
    const target = this.#target(item);
    // An empty history runs no orchestrator code: the generator starts with the first turn.
    if (history.length === 0) return replayHistory(target, history);
    return this.options.guard(() => replayHistory(target, history));
  }

  async #terminalTurn(item: OrchestrationWorkItem, request: TurnRequest): Promise<TurnResult> {
    const rewind = item.messages.find((m) => m.event.type === 'ExecutionRewound');
    const definition = this.options.app.getOrchestration(item.name);
    if (item.runtimeStatus !== RuntimeStatus.Failed || !rewind || !definition) return drainTurn(request);
    const history = await this.options.store.getHistory(item.instanceId);
    const reason = rewind.event.type === 'ExecutionRewound' ? rewind.event.reason : undefined;
    try {
      return await this.options.guard(() => runRewindTurn(this.#target(item), history, request, reason));
    } catch (error) {
      return failedTurn(request, error);
    }
  }

  #leaseRunning(commit: OrchestrationCommit, running: PreparedTurn['running'], now: number): OrchestrationCommit {
    if (!running || running.size === 0) return commit;
    const lease = { owner: this.options.owner, expiresAt: now + this.options.chaining!.activityLeaseMs };
    return { ...commit, activities: commit.activities.map((a) => (running.has(a.taskId) ? { ...a, lease } : a)) };
  }

  #adoptRunning(item: OrchestrationWorkItem, commit: OrchestrationCommit, running: PreparedTurn['running']): void {
    if (!running) return;
    for (const activity of commit.activities) {
      const outcome = running.get(activity.taskId);
      if (!outcome) continue;
      this.options.chaining!.activities.adopt(
        { instanceId: item.instanceId, executionId: item.executionId, taskId: activity.taskId, name: activity.name, input: activity.input },
        outcome,
      );
    }
  }

  #target(item: OrchestrationWorkItem) {
    const definition = this.options.app.getOrchestration(item.name)!;
    const { logger } = this.options;
    // ctx.log lines carry the instance; the child logger is made on the first line (most orchestrators never log).
    let child: ReplaySafeLogger | undefined;
    const log = () => (child ??= logger.child?.({ instanceId: item.instanceId, executionId: item.executionId, name: item.name }) ?? logger);
    const lazy: ReplaySafeLogger = {
      info: (message, ...args) => log().info(message, ...args),
      warn: (message, ...args) => log().warn(message, ...args),
      error: (message, ...args) => log().error(message, ...args),
    };
    return { orchestrator: definition.handler, instanceId: item.instanceId, name: item.name, logger: lazy };
  }
}

/** The ExecutionStarted a first turn brings, if it does. */
function startOf(item: OrchestrationWorkItem): ExecutionStartedEvent | undefined {
  if (item.historyLength > 0) return undefined;
  for (const message of item.messages) if (message.event.type === 'ExecutionStarted') return message.event;
  return undefined;
}
