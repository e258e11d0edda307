/**
 * @module codeless-turns
 * Turns the orchestration worker decides without running orchestrator code:
 * - a termination, so that an instance whose code kills its host or never
 *   yields can always be terminated, from any host; unless it says
 *   `recursive: false`, it is passed on to the live sub-orchestrations in
 *   the same commit, so a tree ends together (children started with
 *   `parentClose: 'abandon'` run on);
 * - a turn delivered more than `maxDeliveries` times without a result
 *   (poisoned): the instance fails instead of running it again;
 * - a turn stopped by its budget once too often: the instance fails.
 * An instance that ends here ends its live 'terminate' children and releases
 * the entity locks it holds in the same commit, as it would had its code
 * ended it (parent-close.ts, entity-locks.ts).
 *
 * What must hold: nothing here calls the orchestrator; the parent to notify
 * comes from the start message or the stored history.
 */
import type { FailureDetails } from '../model/failure.ts';
import type { ExecutionTerminatedEvent, HistoryEvent, ParentRef } from '../model/history.ts';
import { isoTimestamp } from '../model/timestamp.ts';
import { heldLockSets, lockReleases } from '../orchestration/entity-locks.ts';
import { childTerminations, liveChildrenOf } from '../orchestration/parent-close.ts';
import { failedTurnWith, terminatedTurn, type TurnRequest, type TurnResult } from '../orchestration/turn.ts';
import type { Logger } from '../runtime/logger.ts';
import type { OrchestrationWorkItem, Store } from '../store/store.ts';
import { poisonedTurnFailure, turnBudgetFailure } from './poison.ts';

export interface CodelessTurnDeps {
  readonly store: Store;
  readonly logger: Logger;
  readonly maxDeliveries: number;
  readonly turnBudgetMs: number;
}

/** Whether the item's turn must be decided without running code (checked on every turn: no I/O). */
export function runsNoCode(item: OrchestrationWorkItem, maxDeliveries: number): boolean {
  return item.deliveries > maxDeliveries || item.messages.some((m) => m.event.type === 'ExecutionTerminated');
}

/** The turn for an item that runsNoCode: its termination, or its failure as poisoned. */
export async function codelessTurn(deps: CodelessTurnDeps, item: OrchestrationWorkItem, request: TurnRequest): Promise<TurnResult> {
  const termination = item.messages.find((m) => m.event.type === 'ExecutionTerminated');
  if (termination?.event.type === 'ExecutionTerminated') return terminationTurn(deps.store, item, request, termination.event);
  const failure = poisonedTurnFailure({
    instanceId: item.instanceId,
    name: item.name,
    deliveries: item.deliveries - 1,
    maxDeliveries: deps.maxDeliveries,
  });
  deps.logger.error(`[perdure] ${failure.message}`);
  return failedTree(deps.store, item, request, failure);
}

/**
 * A turn stopped by its budget: undefined while it may be delivered again
 * (up to maxDeliveries), then the turn that fails the instance.
 */
export async function overrunTurn(
  deps: CodelessTurnDeps,
  item: OrchestrationWorkItem,
  request: TurnRequest,
): Promise<TurnResult | undefined> {
  const { turnBudgetMs: budgetMs, maxDeliveries, logger } = deps;
  if (item.deliveries < maxDeliveries) {
    logger.warn(
      `[perdure] orchestration '${item.name}' (instance '${item.instanceId}') did not yield within ${budgetMs} ms and was stopped ` +
        `(delivery ${item.deliveries} of ${maxDeliveries})`,
    );
    return undefined;
  }
  const failure = turnBudgetFailure({ instanceId: item.instanceId, name: item.name, budgetMs, deliveries: item.deliveries });
  logger.error(`[perdure] ${failure.message}`);
  return failedTree(deps.store, item, request, failure);
}

/** Fails the instance, and terminates its live 'terminate' children in the same commit, as an orchestrator's failure would. */
async function failedTree(store: Store, item: OrchestrationWorkItem, request: TurnRequest, failure: FailureDetails): Promise<TurnResult> {
  const history = item.historyLength === 0 ? [] : await store.getHistory(item.instanceId);
  const parent = startedParent(item) ?? history.find((e) => e.type === 'ExecutionStarted')?.parent;
  const turn = failedTurnWith(request, failure, parent);
  const timestamp = isoTimestamp(request.now);
  const children = childTerminations(item.instanceId, liveChildrenOf(history), 'failed', timestamp);
  return withControl(turn, [...children, ...releasesOf(item, history, timestamp)]);
}

/** The termination, passed on to the live sub-orchestrations unless it says `recursive: false`. */
async function terminationTurn(
  store: Store,
  item: OrchestrationWorkItem,
  request: TurnRequest,
  termination: ExecutionTerminatedEvent,
): Promise<TurnResult> {
  const history = item.historyLength === 0 ? [] : await store.getHistory(item.instanceId);
  const parent = startedParent(item) ?? history.find((e) => e.type === 'ExecutionStarted')?.parent;
  const turn = terminatedTurn(request, termination, parent);
  const releases = releasesOf(item, history, isoTimestamp(request.now));
  if (termination.recursive === false) return withControl(turn, releases);
  const children = childTerminations(item.instanceId, liveChildrenOf(history), 'was terminated', termination.timestamp, termination.reason);
  return withControl(turn, [...children, ...releases]);
}

/** Releases of the entity locks the stored history holds (entity-locks.ts): an ending execution lets them go. */
function releasesOf(item: OrchestrationWorkItem, history: readonly HistoryEvent[], timestamp: string) {
  const sent = history.flatMap((e) => (e.type === 'EventSent' ? [e] : []));
  return lockReleases({ instanceId: item.instanceId, executionId: item.executionId }, heldLockSets(sent), timestamp);
}

function withControl(turn: TurnResult, messages: NonNullable<TurnResult['controlMessages']>): TurnResult {
  return messages.length === 0 ? turn : { ...turn, controlMessages: [...(turn.controlMessages ?? []), ...messages] };
}

export function startedParent(item: OrchestrationWorkItem): ParentRef | undefined {
  for (const message of item.messages) {
    if (message.event.type === 'ExecutionStarted') return message.event.parent;
  }
  return undefined;
}
