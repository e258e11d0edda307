/**
 * @module testing/replay-check
 * `replayHistory` and `assertReplays`: replay exported histories against
 * today's code, without running activities, and report where the code no
 * longer does what the history recorded. Run them in CI on histories of
 * live instances before deploying a change to their orchestrations.
 *
 * What must hold:
 * - A history replays only if every recorded step matches the code, the
 *   code schedules nothing the history does not record, and a recorded end
 *   (completed, failed, continued as new) is the end the code reaches.
 * - Rewinds in Perdure's shape are applied as a worker applies them.
 */
import { markersByTurn } from '../orchestration/patches.ts';
import { NonDeterministicOrchestrationError, ValidationError } from '../model/errors.ts';
import type { HistoryEvent } from '../model/history.ts';
import { applyRewinds } from '../orchestration/rewound-history.ts';
import type { FunctionApp } from '../runtime/app.ts';
import { DfHistoryImport } from './df-history-import.ts';
import { isSingleHistory, loadHistory, readHistoryDir, type HistoryInput, type LoadedHistory } from './history-input.ts';
import { Divergence, ReplayRun, type ReplayDivergence } from './replay-run.ts';

export type { ReplayDivergence } from './replay-run.ts';

export interface ReplayResult {
  readonly instanceId: string;
  readonly name: string;
  /** Absent when the history replays. */
  readonly divergence?: ReplayDivergence;
  /** Where the code's replay stands after the last event: 'Running' while it waits for more. */
  readonly status: 'Running' | 'Completed' | 'Failed' | 'ContinuedAsNew';
  /** The code's output, when its replay completed. */
  readonly output?: unknown;
}

/**
 * Replays one exported history (Perdure's or Durable Functions' shape) against the app's code.
 *
 * @example
 * const history = await client.getHistory('order-42');
 * const result = replayHistory(app, history);
 * if (result.divergence) console.error(result.divergence.message);
 */
export function replayHistory(app: FunctionApp, history: HistoryInput, options: { instanceId?: string } = {}): ReplayResult {
  return replayLoaded(app, loadHistory(history), options.instanceId);
}

function replayLoaded(app: FunctionApp, history: LoadedHistory, instanceId = history.instanceId ?? 'replay'): ReplayResult {
  const name = history.name ?? startedName(history);
  const orchestration = app.getOrchestration(name);
  if (!orchestration) throw new ValidationError('history', `orchestration '${name}' is not registered in the app`);
  const run = new ReplayRun(orchestration.handler, instanceId, name);
  const divergence = history.shape === 'perdure' ? replayPerdure(run, history.events) : replayDf(run, history.events);
  const outcome = run.executor.outcome;
  return {
    instanceId,
    name,
    ...(divergence ? { divergence } : {}),
    status: outcome?.status ?? 'Running',
    ...(outcome?.status === 'Completed' ? { output: outcome.result } : {}),
  };
}

function replayPerdure(run: ReplayRun, events: readonly HistoryEvent[]): ReplayDivergence | undefined {
  const kept = new Set(applyRewinds(events));
  const markers = markersByTurn(events); // what ctx.patched() answers in each replayed turn (orchestration/patches.ts)
  let index = 0;
  try {
    for (; index < events.length; index++) {
      const event = events[index]!;
      if (!kept.has(event)) continue;
      if (event.type === 'ExecutionTerminated') return undefined; // ends the execution without running its code
      // A turn records what its code scheduled before the next turn starts or the execution ends.
      if (event.type === 'OrchestratorStarted' || event.type === 'ExecutionCompleted') run.checkNothingNew();
      if (event.type === 'ExecutionCompleted') run.checkEnd(event.status);
      else {
        if (markers && event.type === 'OrchestratorStarted') run.executor.expectPatchMarkers(markers.get(index));
        run.apply(event);
      }
    }
    run.checkNothingNew();
  } catch (error) {
    if (error instanceof Divergence) return run.divergence(index, error);
    throw error;
  }
  return undefined;
}

function replayDf(run: ReplayRun, events: LoadedHistory['events']): ReplayDivergence | undefined {
  const translator = new DfHistoryImport(run);
  let index = 0;
  try {
    for (; index < events.length; index++) {
      for (const event of translator.translate(events[index] as Parameters<DfHistoryImport['translate']>[0])) {
        if (event.type === 'ExecutionTerminated') return undefined;
        if (event.type === 'ExecutionCompleted') run.checkNothingNew();
        if (event.type === 'ExecutionCompleted') run.checkEnd(event.status);
        else run.apply(event);
      }
    }
    run.checkNothingNew();
  } catch (error) {
    if (error instanceof Divergence) return run.divergence(index, error);
    throw error;
  }
  return undefined;
}

function startedName(history: LoadedHistory): string {
  const started =
    history.shape === 'perdure'
      ? history.events.find((e) => e.type === 'ExecutionStarted')?.name
      : history.events.find((e) => e.EventType === 'ExecutionStarted')?.['FunctionName'];
  if (typeof started !== 'string') throw new ValidationError('history', 'has no ExecutionStarted event naming the orchestration');
  return started;
}

/**
 * Replays every history (an array of them, or the `.json` files of a directory) and throws a
 * NonDeterministicOrchestrationError listing each one that diverges, with the first differing step.
 *
 * @example
 * import { assertReplays } from 'perdure/testing';
 * it('live histories replay with this code', () => assertReplays(app, 'test/fixtures/histories'));
 */
export async function assertReplays(
  app: FunctionApp,
  histories: readonly HistoryInput[] | HistoryInput | string | URL,
): Promise<ReplayResult[]> {
  const loaded =
    typeof histories === 'string' || histories instanceof URL
      ? await readHistoryDir(histories)
      : (Array.isArray(histories) && !isSingleHistory(histories)
          ? (histories as readonly HistoryInput[])
          : [histories as HistoryInput]
        ).map((input, i) => ({ source: `history ${i}`, history: loadHistory(input, `history ${i}`) }));
  const results = loaded.map(({ source, history }) => ({ source, result: replayLoaded(app, history) }));
  const failures = results.filter(({ result }) => result.divergence);
  if (failures.length > 0) {
    const lines = failures.map(({ source, result }) => `- ${source}: ${result.divergence!.message}`);
    throw new NonDeterministicOrchestrationError(
      `${failures.length} of ${results.length} histories do not replay with this code:\n${lines.join('\n')}`,
    );
  }
  return results.map(({ result }) => result);
}
