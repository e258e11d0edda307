/**
 * @module testing/run-orchestrator
 * `runOrchestrator`: one orchestration decision without a store or a host.
 * It starts the orchestrator with an input, applies the given history (the
 * events after the start: results, timers, events; scheduling events may be
 * left out), and returns what the code asks for next and is still waiting
 * on, as the actions a worker would commit.
 *
 * What must hold: nothing runs but the orchestrator's generator; a history
 * that the code does not match throws NonDeterministicOrchestrationError.
 */
import { ValidationError } from '../model/errors.ts';
import type { FailureDetails } from '../model/failure.ts';
import type { HistoryEvent } from '../model/history.ts';
import { OrchestrationExecutor } from '../orchestration/executor.ts';
import { fromTask, type ScheduledAction } from '../orchestration/scheduled-action.ts';
import type { FunctionApp } from '../runtime/app.ts';
import { silentLogger } from '../runtime/logger.ts';

export type { ScheduledAction } from '../orchestration/scheduled-action.ts';

export interface RunOrchestratorOptions {
  readonly input?: unknown;
  /** Events after the start, e.g. `{ type: 'TaskCompleted', taskId: 0, result: 42, timestamp }`; may include the start itself. */
  readonly history?: readonly HistoryEvent[];
  readonly instanceId?: string;
  /** The orchestration's start time, `ctx.currentUtcDateTime` (default 2030-01-01T00:00:00Z). */
  readonly startTime?: number;
}

export interface OrchestratorStep {
  /** What the code asks for and the history does not record yet, in task order. */
  readonly actions: ScheduledAction[];
  readonly status: 'Running' | 'Completed' | 'Failed' | 'ContinuedAsNew';
  readonly output?: unknown;
  readonly failure?: FailureDetails;
  readonly customStatus?: unknown;
}

/**
 * Steps an orchestrator through its input and history and returns the actions it schedules.
 *
 * @example
 * const step = runOrchestrator(app, 'HelloSequence');
 * assert.deepEqual(step.actions, [{ kind: 'ScheduleActivity', taskId: 0, name: 'SayHello', input: 'Tokyo' }]);
 */
export function runOrchestrator(app: FunctionApp, name: string, options: RunOrchestratorOptions = {}): OrchestratorStep {
  const orchestration = app.getOrchestration(name);
  if (!orchestration) throw new ValidationError('name', `orchestration '${name}' is not registered in the app`);
  const executor = new OrchestrationExecutor(orchestration.handler, options.instanceId ?? 'test-instance', name, silentLogger);
  const history: readonly HistoryEvent[] = options.history ?? [];
  if (!Array.isArray(options.history ?? [])) throw new ValidationError('history', 'must be an array of history events');
  if (!history.some((e) => e.type === 'ExecutionStarted')) {
    const timestamp = new Date(options.startTime ?? Date.UTC(2030, 0, 1)).toISOString();
    executor.apply(
      {
        type: 'ExecutionStarted',
        timestamp,
        name,
        executionId: 'test-execution',
        ...(options.input === undefined ? {} : { input: options.input }),
      },
      false,
    );
  }
  for (const event of history) executor.apply(event, true);
  // Tasks the history neither records nor settles are the decision: what a worker would now commit and send.
  const actions = executor
    .takeNewTasks()
    .filter((task) => !task.isCompleted)
    .map(fromTask);
  const customStatus = executor.takeCustomStatus();
  const outcome = executor.outcome;
  return {
    actions,
    status: outcome?.status ?? 'Running',
    ...(outcome?.status === 'Completed' ? { output: outcome.result } : {}),
    ...(outcome?.status === 'Failed' ? { failure: outcome.failure } : {}),
    ...(customStatus ? { customStatus: customStatus.value } : {}),
  };
}
