/**
 * @module testing/replay-run
 * One replay of recorded events against today's orchestrator code, event by
 * event, remembering every task the code created, so that a divergence can
 * say what the history recorded and what the code did instead. It runs no
 * activity and does no I/O: it drives the same executor a worker replays with.
 *
 * What must hold: the first divergence stops the run; a run never reports
 * success with tasks the code scheduled but the history does not record.
 */
import { NonDeterministicOrchestrationError } from '../model/errors.ts';
import type { HistoryEvent } from '../model/history.ts';
import { OrchestrationExecutor, type OrchestratorFunction } from '../orchestration/executor.ts';
import type { ScheduledTask } from '../orchestration/task.ts';
import { silentLogger } from '../runtime/logger.ts';

/** Where replay and history part ways. */
export interface ReplayDivergence {
  readonly instanceId: string;
  readonly name: string;
  /** Index of the event in the history as given, from 0; the history's length if the code did more than it records. */
  readonly eventIndex: number;
  /** What the history recorded there. */
  readonly recorded: string;
  /** What today's code did instead. */
  readonly replayed: string;
  readonly message: string;
}

export class Divergence extends Error {
  constructor(
    readonly recorded: string,
    readonly replayed: string,
  ) {
    super(`history recorded ${recorded}, but the replayed code ${replayed}`);
  }
}

export class ReplayRun {
  readonly executor: OrchestrationExecutor;
  /** Every task the code created, by sequence number. */
  readonly tasks = new Map<number, ScheduledTask<unknown>>();

  constructor(
    orchestrator: OrchestratorFunction,
    readonly instanceId: string,
    readonly name: string,
  ) {
    this.executor = new OrchestrationExecutor(orchestrator, instanceId, name, silentLogger);
  }

  /** Applies one recorded event; a NonDeterministicOrchestrationError from the executor becomes a Divergence. */
  apply(event: HistoryEvent): void {
    const expected = 'taskId' in event ? this.describe(event.taskId) : 'nothing';
    try {
      this.executor.apply(event, true);
    } catch (error) {
      if (!(error instanceof NonDeterministicOrchestrationError)) throw error;
      throw new Divergence(describeEvent(event), `has ${expected} there`);
    } finally {
      for (const task of this.executor.peekNewTasks()) this.tasks.set(task.taskId, task);
    }
  }

  describe(taskId: number): string {
    const task = this.tasks.get(taskId) ?? this.executor.peekNewTasks().find((t) => t.taskId === taskId);
    return task ? `${task.describe()} as #${taskId}` : `nothing as #${taskId}`;
  }

  /** After the last event: the code must not have scheduled anything the history does not record. */
  checkNothingNew(): void {
    const extra = this.executor.peekNewTasks();
    if (extra.length === 0) return;
    throw new Divergence('nothing more', `scheduled ${extra.map((t) => `${t.describe()} as #${t.taskId}`).join(', ')}`);
  }

  /** The recorded end of the execution must be the end the code reaches. */
  checkEnd(recorded: 'Completed' | 'Failed' | 'ContinuedAsNew'): void {
    const outcome = this.executor.outcome;
    if (outcome?.status === recorded) return;
    const replayed =
      outcome === undefined
        ? 'is still waiting'
        : outcome.status === 'Failed'
          ? `failed (${outcome.failure.name}: ${outcome.failure.message})`
          : `ended ${outcome.status}`;
    throw new Divergence(`the execution ${recorded}`, replayed);
  }

  divergence(at: number, divergence: Divergence): ReplayDivergence {
    return {
      instanceId: this.instanceId,
      name: this.name,
      eventIndex: at,
      recorded: divergence.recorded,
      replayed: divergence.replayed,
      message: `Orchestration '${this.name}' (instance '${this.instanceId}') diverges at event #${at}: ${divergence.message}.`,
    };
  }
}

export function describeEvent(event: HistoryEvent): string {
  switch (event.type) {
    case 'TaskScheduled':
    case 'SubOrchestrationInstanceCreated':
    case 'EventSent':
      return `${event.type} #${event.taskId} '${event.name}'`;
    case 'TimerCreated':
      return `${event.type} #${event.taskId} (fires at ${event.fireAt})`;
    case 'TaskCompleted':
    case 'TaskFailed':
    case 'TimerFired':
    case 'SubOrchestrationInstanceCompleted':
    case 'SubOrchestrationInstanceFailed':
      return `${event.type} for #${event.taskId}`;
    default:
      return event.type;
  }
}
