/**
 * @module testing/df-history-import
 * Turns Durable Functions-shaped history (the status route's `historyEvents`)
 * back into Perdure's events while replaying. That shape drops what replay
 * keys on: task sequence numbers, orchestrator markers, and the scheduling
 * event of every finished task (folded into its completion as
 * `FunctionName`, `ScheduledTime`, `Input`). So each event is matched to a
 * task the replayed code created, by kind, name and (when shown) input, and
 * the missing events are rebuilt around it.
 *
 * What must hold:
 * - A recorded event that no task of the code matches is a Divergence
 *   naming both sides; matching never invents a task.
 * - Tasks are matched by kind and name, as replay of Perdure's own history
 *   matches them (inputs are not compared there either); when the export
 *   shows inputs they only pick among same-named tasks, then the lowest
 *   sequence number wins, so a fan-out pairs up as the code made it.
 * - Results are taken as recorded: export with `showHistoryOutput=true`.
 */
import { ValidationError } from '../model/errors.ts';
import type { FailureDetails } from '../model/failure.ts';
import type { HistoryEvent } from '../model/history.ts';
import { ActivityTask, EventSentTask, SubOrchestrationTask, TimerTask, type ScheduledTask } from '../orchestration/task.ts';
import type { DfHistoryEvent } from './history-input.ts';
import { Divergence, type ReplayRun } from './replay-run.ts';

type TaskClass = abstract new (...args: never[]) => ScheduledTask<unknown>;

export class DfHistoryImport {
  readonly #recorded = new Set<number>();
  readonly #settled = new Set<number>();

  constructor(private readonly run: ReplayRun) {}

  /** Perdure's events for one Durable Functions event; throws Divergence if the code has nothing that matches. */
  translate(e: DfHistoryEvent): HistoryEvent[] {
    const timestamp = text(e['Timestamp']) ?? new Date(0).toISOString();
    const turn: HistoryEvent = { type: 'OrchestratorStarted', timestamp };
    switch (e.EventType) {
      case 'ExecutionStarted':
        return [
          { type: 'ExecutionStarted', timestamp, name: text(e['FunctionName']) ?? this.run.name, executionId: 'replay', ...input(e) },
        ];
      case 'TaskScheduled':
        return [this.#schedule(e, ActivityTask, timestamp)];
      case 'SubOrchestrationInstanceCreated':
        return [this.#schedule(e, SubOrchestrationTask, timestamp)];
      case 'EventSent':
        return [this.#schedule(e, EventSentTask, timestamp)];
      case 'TimerCreated':
        return [this.#schedule(e, TimerTask, timestamp)];
      case 'TaskCompleted':
      case 'TaskFailed':
        return [turn, ...this.#complete(e, ActivityTask, timestamp)];
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
        return [turn, ...this.#complete(e, SubOrchestrationTask, timestamp)];
      case 'TimerFired':
        return [turn, ...this.#complete(e, TimerTask, timestamp)];
      case 'EventRaised':
        return [turn, { type: 'EventRaised', timestamp, name: text(e['Name']) ?? '', ...input(e) }];
      case 'ExecutionSuspended':
      case 'ExecutionResumed':
        return [{ type: e.EventType, timestamp, ...reason(e['Reason']) }];
      case 'ExecutionTerminated':
        return [{ type: 'ExecutionTerminated', timestamp, ...reason(e['Input']) }];
      case 'ContinueAsNew':
        return [{ type: 'ExecutionCompleted', timestamp, status: 'ContinuedAsNew' }];
      case 'ExecutionCompleted': {
        const status = e['OrchestrationStatus'];
        if (status !== 'Completed' && status !== 'Failed') return [];
        return [{ type: 'ExecutionCompleted', timestamp, status }];
      }
      case 'ExecutionRewound':
        throw new ValidationError(
          'history',
          "Durable Functions' shape does not say which tasks a rewind retried; replay the instance's Perdure history (client.getHistory)",
        );
      default:
        throw new ValidationError('history', `unknown Durable Functions event type ${JSON.stringify(e.EventType)}`);
    }
  }

  /** The code's task this scheduling event records, lowest sequence number first. */
  #schedule(e: DfHistoryEvent, kind: TaskClass, timestamp: string): HistoryEvent {
    const name = text(e['Name']);
    const fireAt = text(e['FireAt']);
    const candidates = [...this.run.tasks.values()].filter((t) => !this.#recorded.has(t.taskId) && matches(t, kind, name));
    const task = pick(candidates, e, fireAt);
    if (!task) throw new Divergence(describeDf(e, name), this.#unrecorded());
    return this.#scheduled(task, timestamp);
  }

  #scheduled(task: ScheduledTask<unknown>, timestamp: string): HistoryEvent {
    this.#recorded.add(task.taskId);
    const common = { timestamp, taskId: task.taskId };
    if (task instanceof TimerTask) return { type: 'TimerCreated', ...common, fireAt: task.fireAt.toISOString() };
    if (task instanceof ActivityTask) return { type: 'TaskScheduled', ...common, name: task.name, ...withInput(task.input) };
    if (task instanceof SubOrchestrationTask) {
      return { type: 'SubOrchestrationInstanceCreated', ...common, name: task.name, instanceId: task.instanceId, ...withInput(task.input) };
    }
    const sent = task as EventSentTask;
    return { type: 'EventSent', ...common, name: sent.name, instanceId: sent.instanceId, ...withInput(sent.input) };
  }

  /** A completion: its task (scheduled by an earlier event, or folded into this one) and the result. */
  #complete(e: DfHistoryEvent, kind: TaskClass, timestamp: string): HistoryEvent[] {
    const name = kind === TimerTask ? undefined : text(e['FunctionName']);
    const fireAt = text(e['FireAt']);
    const open = [...this.run.tasks.values()].filter((t) => !this.#settled.has(t.taskId) && matches(t, kind, name));
    const task = pick(open, e, fireAt);
    if (!task) throw new Divergence(describeDf(e, name), this.#unrecorded());
    const out: HistoryEvent[] = [];
    if (!this.#recorded.has(task.taskId)) out.push(this.#scheduled(task, text(e['ScheduledTime']) ?? timestamp));
    this.#settled.add(task.taskId);
    const taskId = task.taskId;
    if (e.EventType === 'TimerFired') out.push({ type: 'TimerFired', timestamp, taskId, fireAt: (task as TimerTask).fireAt.toISOString() });
    else if (e.EventType === 'TaskCompleted') out.push({ type: 'TaskCompleted', timestamp, taskId, ...result(e) });
    else if (e.EventType === 'TaskFailed') out.push({ type: 'TaskFailed', timestamp, taskId, failure: failure(e) });
    else if (e.EventType === 'SubOrchestrationInstanceCompleted')
      out.push({ type: 'SubOrchestrationInstanceCompleted', timestamp, taskId, ...result(e) });
    else out.push({ type: 'SubOrchestrationInstanceFailed', timestamp, taskId, failure: failure(e) });
    return out;
  }

  #unrecorded(): string {
    const open = [...this.run.tasks.values()].filter((t) => !this.#settled.has(t.taskId) && !this.#recorded.has(t.taskId));
    return open.length === 0 ? 'has no such task' : `has ${open.map((t) => `${t.describe()} as #${t.taskId}`).join(', ')}`;
  }
}

function matches(task: ScheduledTask<unknown>, kind: TaskClass, name: string | undefined): boolean {
  return task instanceof kind && (name === undefined || (task as ScheduledTask<unknown> & { name?: string }).name === name);
}

/** The candidate the event most likely records: same fire time or same input (as JSON text, when shown), else the first. */
function pick(
  candidates: readonly ScheduledTask<unknown>[],
  e: DfHistoryEvent,
  fireAt: string | undefined,
): ScheduledTask<unknown> | undefined {
  const same = candidates.find((task) => {
    if (task instanceof TimerTask) return fireAt !== undefined && task.fireAt.toISOString() === fireAt;
    const value = (task as ScheduledTask<unknown> & { input?: unknown }).input;
    return 'Input' in e && e['Input'] === (value === undefined ? null : JSON.stringify(value));
  });
  return same ?? candidates[0];
}

function describeDf(e: DfHistoryEvent, name: string | undefined): string {
  const fireAt = text(e['FireAt']);
  return `${e.EventType}${name === undefined ? '' : ` '${name}'`}${fireAt ? ` (fires at ${fireAt})` : ''}`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function input(e: DfHistoryEvent): { input?: unknown } {
  const raw = e['Input'];
  return typeof raw === 'string' ? { input: JSON.parse(raw) as unknown } : {};
}

function result(e: DfHistoryEvent): { result?: unknown } {
  return e['Result'] === undefined || e['Result'] === null ? {} : { result: e['Result'] };
}

function withInput(value: unknown): { input?: unknown } {
  return value === undefined ? {} : { input: value };
}

function reason(value: unknown): { reason?: string } {
  return typeof value === 'string' ? { reason: value } : {};
}

function failure(e: DfHistoryEvent): FailureDetails {
  const details = (e['FailureDetails'] ?? {}) as Record<string, unknown>;
  const stack = text(details['StackTrace']) ?? text(e['Details']);
  return {
    name: text(details['ErrorType']) ?? 'Error',
    message: text(details['ErrorMessage']) ?? text(e['Reason']) ?? '',
    ...(stack === undefined ? {} : { stack }),
  };
}
