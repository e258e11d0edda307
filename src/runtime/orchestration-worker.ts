/**
 * @module orchestration-worker
 * Claims instances that have new messages, runs one turn for each, and
 * commits the whole batch in one transaction (group commit). Each instance
 * is single-threaded: the store's lease hands it to one worker at a time,
 * and a commit under a lease that was since taken over is rejected.
 */
import { randomUUID } from 'node:crypto';
import { FunctionNotFoundError } from '../model/errors.ts';
import type { ParentRef } from '../model/history.ts';
import { isTerminalStatus, RuntimeStatus } from '../model/runtime-status.ts';
import type { OrchestrationExecutor } from '../orchestration/executor.ts';
import { replayHistory } from '../orchestration/replay.ts';
import { runRewindTurn } from '../orchestration/rewind.ts';
import { drainTurn, failedTurn, runTurn, type TurnRequest, type TurnResult } from '../orchestration/turn.ts';
import type { OrchestrationWorkItem, Store } from '../store/store.ts';
import type { FunctionApp } from './app.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import { SessionCache } from './session-cache.ts';
import { toCommit } from './turn-commit.ts';

export interface OrchestrationWorkerOptions {
  readonly store: Store;
  readonly app: FunctionApp;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly owner: string;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly sessionCacheSize: number;
  /** Called after each committed batch: new activities or messages may be waiting. */
  readonly onCommitted: (ended: readonly { instanceId: string; runtimeStatus: RuntimeStatus }[]) => void;
}

interface PreparedTurn {
  readonly item: OrchestrationWorkItem;
  readonly turn: TurnResult;
  readonly executor: OrchestrationExecutor | undefined;
}

export class OrchestrationWorker {
  readonly #sessions: SessionCache;
  constructor(private readonly options: OrchestrationWorkerOptions) {
    this.#sessions = new SessionCache(options.sessionCacheSize);
  }

  /** One claim-run-commit round; returns whether there was work. */
  async step(): Promise<boolean> {
    const { store, clock, owner, leaseMs, batchSize } = this.options;
    const items = await store.claimOrchestrations({ owner, leaseMs, limit: batchSize, now: clock.now() });
    if (items.length === 0) return false;
    const prepared: PreparedTurn[] = [];
    for (const item of items) prepared.push(await this.#prepare(item));
    const now = clock.now();
    const commits = prepared.map(({ item, turn }) => toCommit(item, turn, now, randomUUID));
    const results = await store.commitOrchestrations(commits);
    const ended: { instanceId: string; runtimeStatus: RuntimeStatus }[] = [];
    results.forEach((result, index) => {
      const { item, turn, executor } = prepared[index]!;
      if (!result.ok) return this.options.logger.warn(`[perdure] lease on '${item.instanceId}' was lost; its turn was discarded`);
      if (executor && !turn.ended) {
        this.#sessions.put(item.instanceId, { executor, executionId: item.executionId, historyLength: item.historyLength + turn.newEvents.length });
      }
      if (turn.ended || turn.runtimeStatus !== item.runtimeStatus) ended.push({ instanceId: item.instanceId, runtimeStatus: turn.runtimeStatus });
    });
    this.options.onCommitted(ended);
    return true;
  }

  async #prepare(item: OrchestrationWorkItem): Promise<PreparedTurn> {
    const request: TurnRequest = {
      executionId: item.executionId,
      runtimeStatus: item.runtimeStatus,
      messages: item.messages,
      now: this.options.clock.now(),
      newId: randomUUID,
    };
    if (isTerminalStatus(item.runtimeStatus)) return { item, turn: await this.#terminalTurn(item, request), executor: undefined };
    const definition = this.options.app.getOrchestration(item.name);
    if (!definition) {
      const error = new FunctionNotFoundError('orchestration', item.name);
      return { item, turn: failedTurn(request, error, startedParent(item)), executor: undefined };
    }
    let executor: OrchestrationExecutor | undefined;
    try {
      executor = this.#sessions.take(item.instanceId, item.executionId, item.historyLength) ?? (await this.#replay(item));
      return { item, turn: runTurn(executor, request), executor };
    } catch (error) {
      return { item, turn: failedTurn(request, error, executor?.parent ?? startedParent(item)), executor: undefined };
    }
  }

  async #replay(item: OrchestrationWorkItem): Promise<OrchestrationExecutor> {
    const history = item.historyLength === 0 ? [] : await this.options.store.getHistory(item.instanceId);
    return replayHistory(this.#target(item), history);
  }

  async #terminalTurn(item: OrchestrationWorkItem, request: TurnRequest): Promise<TurnResult> {
    const rewind = item.messages.find((m) => m.event.type === 'ExecutionRewound');
    const definition = this.options.app.getOrchestration(item.name);
    if (item.runtimeStatus !== RuntimeStatus.Failed || !rewind || !definition) return drainTurn(request);
    const history = await this.options.store.getHistory(item.instanceId);
    const reason = rewind.event.type === 'ExecutionRewound' ? rewind.event.reason : undefined;
    try {
      return runRewindTurn(this.#target(item), history, request, reason);
    } catch (error) {
      return failedTurn(request, error);
    }
  }

  #target(item: OrchestrationWorkItem) {
    const definition = this.options.app.getOrchestration(item.name)!;
    return { orchestrator: definition.handler, instanceId: item.instanceId, name: item.name, logger: this.options.logger };
  }
}

function startedParent(item: OrchestrationWorkItem): ParentRef | undefined {
  for (const message of item.messages) {
    if (message.event.type === 'ExecutionStarted') return message.event.parent;
  }
  return undefined;
}
