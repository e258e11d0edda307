/**
 * A pure, in-memory driver for replay tests: it keeps one history, feeds
 * messages turn by turn, and replays from scratch on every turn (unless told
 * to keep the executor, as an extended session would), so tests exercise
 * exactly the code path a restarted host takes.
 */
import type { HistoryEvent, InboxEvent } from '../../src/model/history.ts';
import { RuntimeStatus } from '../../src/model/runtime-status.ts';
import type { OrchestrationExecutor, OrchestratorFunction } from '../../src/orchestration/executor.ts';
import { replayHistory } from '../../src/orchestration/replay.ts';
import { runRewindTurn } from '../../src/orchestration/rewind.ts';
import { failedTurn, runTurn, type TurnResult } from '../../src/orchestration/turn.ts';
import { silentLogger } from '../../src/runtime/logger.ts';

export const T0 = Date.UTC(2030, 0, 1);

export class ReplayHarness {
  history: HistoryEvent[] = [];
  status: RuntimeStatus = RuntimeStatus.Pending;
  executionId = 'exec-1';
  now = T0;
  #messageId = 0;
  #cached: OrchestrationExecutor | undefined;
  held: InboxEvent[] = [];

  constructor(
    readonly orchestrator: OrchestratorFunction,
    readonly options: { keepSession?: boolean; instanceId?: string; name?: string } = {},
  ) {}

  get target() {
    return {
      orchestrator: this.orchestrator,
      instanceId: this.options.instanceId ?? 'inst-1',
      name: this.options.name ?? 'Test',
      logger: silentLogger,
    };
  }

  start(input?: unknown, parent?: { instanceId: string; executionId: string; taskId: number }): TurnResult {
    return this.turn({
      type: 'ExecutionStarted',
      timestamp: iso(this.now),
      name: 'Test',
      executionId: this.executionId,
      ...(input === undefined ? {} : { input }),
      ...(parent ? { parent } : {}),
    });
  }

  turn(...events: InboxEvent[]): TurnResult {
    const messages = [...this.held, ...events].map((event) => ({ id: String(++this.#messageId), event }));
    const request = { executionId: this.executionId, runtimeStatus: this.status, messages, now: this.now, newId: () => 'exec-next' };
    let turn: TurnResult;
    const rewind = events.find((e) => e.type === 'ExecutionRewound');
    if (this.status === RuntimeStatus.Failed && rewind) {
      turn = runRewindTurn(this.target, this.history, request);
    } else {
      let executor: OrchestrationExecutor | undefined;
      try {
        executor = (this.options.keepSession && this.#cached) || replayHistory(this.target, this.history);
        turn = runTurn(executor, request);
      } catch (error) {
        turn = failedTurn(request, error);
      }
      this.#cached = executor;
    }
    const consumed = new Set(turn.consumedMessageIds);
    this.held = messages.filter((m) => !consumed.has(m.id)).map((m) => m.event);
    this.history.push(...turn.newEvents);
    this.status = turn.runtimeStatus;
    if (turn.continueAsNew) {
      this.history = [];
      this.executionId = turn.continueAsNew.executionId;
    }
    return turn;
  }

  advance(ms: number): void {
    this.now += ms;
  }

  /** The task IDs and names of activities scheduled by a turn. */
  static activities(turn: TurnResult): { taskId: number; name: string; input: unknown }[] {
    return turn.actions.flatMap((a) => (a.kind === 'ScheduleActivity' ? [{ taskId: a.taskId, name: a.name, input: a.input }] : []));
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function completed(taskId: number, result: unknown, at = T0): InboxEvent {
  return { type: 'TaskCompleted', timestamp: iso(at), taskId, result };
}

export function failed(taskId: number, message: string, at = T0): InboxEvent {
  return { type: 'TaskFailed', timestamp: iso(at), taskId, failure: { name: 'Error', message } };
}

export function timerFired(taskId: number, fireAt: string): InboxEvent {
  return { type: 'TimerFired', timestamp: fireAt, taskId, fireAt };
}

export function raised(name: string, input?: unknown, at = T0): InboxEvent {
  return { type: 'EventRaised', timestamp: iso(at), name, ...(input === undefined ? {} : { input }) };
}
