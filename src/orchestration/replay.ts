/**
 * @module replay
 * Builds a replay session from stored history: a fresh executor that has
 * applied every recorded event (with rewinds taken into account), ready for
 * the next turn. Throws NonDeterministicOrchestrationError on divergence.
 */
import type { HistoryEvent } from '../model/history.ts';
import type { ReplaySafeLogger } from './context.ts';
import { OrchestrationExecutor, type OrchestratorFunction } from './executor.ts';
import { applyRewinds } from './rewound-history.ts';

export interface ReplayTarget {
  readonly orchestrator: OrchestratorFunction;
  readonly instanceId: string;
  readonly name: string;
  readonly logger?: ReplaySafeLogger;
}

export function replayHistory(target: ReplayTarget, history: readonly HistoryEvent[]): OrchestrationExecutor {
  const executor = new OrchestrationExecutor(target.orchestrator, target.instanceId, target.name, target.logger);
  for (const event of applyRewinds(history)) executor.apply(event, true);
  executor.takeNewTasks(); // everything replayed was recorded by earlier turns
  executor.takeCustomStatus();
  return executor;
}
