/**
 * @module replay
 * Builds a replay session from stored history: a fresh executor that has
 * applied every recorded event (with rewinds taken into account), ready for
 * the next turn. Throws NonDeterministicOrchestrationError on divergence.
 */
import type { HistoryEvent } from '../model/history.ts';
import type { ReplaySafeLogger } from './context.ts';
import { OrchestrationExecutor, type OrchestratorFunction } from './executor.ts';
import { markersByTurn } from './patches.ts';
import { applyRewinds } from './rewound-history.ts';

export interface ReplayTarget {
  readonly orchestrator: OrchestratorFunction;
  readonly instanceId: string;
  readonly name: string;
  readonly logger?: ReplaySafeLogger;
}

export function replayHistory(target: ReplayTarget, history: readonly HistoryEvent[]): OrchestrationExecutor {
  const executor = new OrchestrationExecutor(target.orchestrator, target.instanceId, target.name, target.logger);
  const events = applyRewinds(history);
  // ctx.patched() answers from the markers of the turn being replayed, which that turn wrote after its code ran.
  const markers = markersByTurn(events);
  events.forEach((event, index) => {
    if (markers && event.type === 'OrchestratorStarted') executor.expectPatchMarkers(markers.get(index));
    executor.apply(event, true);
  });
  executor.takeNewTasks(); // everything replayed was recorded by earlier turns
  executor.takeCustomStatus();
  return executor;
}
