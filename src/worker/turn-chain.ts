/**
 * @module turn-chain
 * Turn chaining: when a turn schedules activities this host can run, run
 * them at once and, if they all finish within a short window, feed their
 * results to the same executor and run the next turn, committing the whole
 * chain in one transaction. The committed history is exactly what separate
 * turns would have recorded.
 *
 * Why it is safe: the chain holds the instance's lease and commits once,
 * fenced by the lease token, so progress stays exactly-once; a crash or a
 * lost lease discards the chain, and its activities run again (activities
 * are at-least-once anyway). Activities still running when the window
 * closes are committed as rows leased to this host, and their results are
 * delivered through the normal completion path.
 */
import type { HistoryEvent, InboxEvent } from '../model/history.ts';
import { isoTimestamp } from '../model/timestamp.ts';
import type { OrchestrationExecutor } from '../orchestration/executor.ts';
import type { ScheduledAction } from '../orchestration/scheduled-action.ts';
import { runTurn, type TurnMessage, type TurnRequest, type TurnResult } from '../orchestration/turn.ts';
import { performance } from 'node:perf_hooks';
import type { ActivityOutcome } from '../store/store.ts';
import type { TurnGuard } from './turn-guard.ts';

export interface InlineActivityRunner {
  /** True if every activity can run here now (registered, and free slots for all). */
  canRunAll(names: readonly string[]): boolean;
  /** Starts an activity outside the claim loop: its outcome now if it finished without awaiting, else a promise of it. */
  start(activity: InlineActivity): ActivityOutcome | Promise<ActivityOutcome>;
}

export interface InlineActivity {
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskId: number;
  readonly name: string;
  readonly input: unknown;
}

export interface ChainOptions {
  /** Runs orchestrator code where it can be stopped (turn-guard.ts); a stopped run rejects the chain. */
  readonly guard: TurnGuard;
  readonly now: () => number;
  /** Absent: run the one turn, no chaining. */
  readonly chaining?: {
    readonly runner: InlineActivityRunner;
    readonly windowMs: number;
    readonly maxTurns: number;
    /** How long one guarded call may keep chaining turns whose activities finished at once before it yields. */
    readonly sliceMs: number;
  };
}

export interface ChainResult {
  readonly turn: TurnResult;
  /** Activities of the final turn that are already running here, by task ID: commit them leased to this host. */
  readonly running: ReadonlyMap<number, Promise<ActivityOutcome>>;
}

type ScheduleActivity = Extract<ScheduledAction, { kind: 'ScheduleActivity' }>;

/** Activities a guarded segment started and left running (or finished, when the segment used up its slice). */
interface Waiting {
  readonly activities: readonly ScheduleActivity[];
  readonly running: readonly (ActivityOutcome | Promise<ActivityOutcome>)[];
}

/**
 * Runs the first turn and, with chaining, the turns that follow while this
 * host's activities finish within the window. Turns whose activities finish
 * without awaiting run in the same guarded call (one watchdog for the whole
 * stretch); the chain leaves the guard only to wait for activities.
 */
export async function runChain(executor: OrchestrationExecutor, request: TurnRequest, options: ChainOptions): Promise<ChainResult> {
  const turns: TurnResult[] = [];
  const segment = (messages: TurnRequest['messages'] | undefined) => () => runSegment(executor, request, turns, messages, options);
  let waiting = await options.guard(segment(undefined));
  while (waiting) {
    const outcomes = await settleWithin(waiting.running, options.chaining!.windowMs);
    if (!outcomes) {
      const running = new Map(waiting.activities.map((a, i) => [a.taskId, Promise.resolve(waiting!.running[i]!)]));
      return { turn: mergeTurns(turns), running };
    }
    waiting = await options.guard(segment(toMessages(waiting.activities, outcomes, options.now())));
  }
  return { turn: mergeTurns(turns), running: new Map() };
}

/** Runs turns synchronously (inside one guarded call) until the chain must wait for activities, or ends. */
function runSegment(
  executor: OrchestrationExecutor,
  request: TurnRequest,
  turns: TurnResult[],
  messages: TurnRequest['messages'] | undefined,
  options: ChainOptions,
): Waiting | undefined {
  const started = performance.now();
  let next = messages;
  for (;;) {
    const previous = turns[turns.length - 1];
    const turn = previous
      ? runTurn(executor, { ...request, runtimeStatus: previous.runtimeStatus, messages: next!, now: options.now() })
      : runTurn(executor, request);
    turns.push(turn);
    const chaining = options.chaining;
    if (!chaining || turn.ended || turns.length >= chaining.maxTurns) return undefined;
    const activities = inlineCandidates(turn);
    if (activities === undefined || !chaining.runner.canRunAll(activities.map((a) => a.name))) return undefined;
    const running = activities.map(({ taskId, name, input }) =>
      chaining.runner.start({ instanceId: executor.instanceId, executionId: request.executionId, taskId, name, input }),
    );
    if (running.some((outcome) => outcome instanceof Promise) || performance.now() - started >= chaining.sliceMs) {
      return { activities, running };
    }
    next = toMessages(activities, running as ActivityOutcome[], options.now());
  }
}

/** The turn's activities if it asked for nothing but activities; other actions are committed first. */
function inlineCandidates(turn: TurnResult): ScheduleActivity[] | undefined {
  const activities: ScheduleActivity[] = [];
  for (const action of turn.actions) if (action.kind === 'ScheduleActivity') activities.push(action);
  // A timed or heartbeating activity runs from its task row, where its deadlines are kept (decision 0028).
  if (activities.some((a) => a.timeoutMs !== undefined || a.heartbeatTimeoutMs !== undefined)) return undefined;
  return activities.length === 0 ? undefined : activities;
}

/**
 * The outcomes, in task order, if all settle within the window. Settling is
 * counted by hand rather than with Promise.all/race: a chained turn is a few
 * microseconds of work, and those would double it.
 */
function settleWithin(
  running: readonly (ActivityOutcome | Promise<ActivityOutcome>)[],
  windowMs: number,
): Promise<ActivityOutcome[] | undefined> {
  return new Promise((resolve, reject) => {
    const outcomes = new Array<ActivityOutcome>(running.length);
    let left = running.length;
    const timer = setTimeout(() => resolve(undefined), windowMs);
    const fail = (error: unknown) => {
      clearTimeout(timer);
      reject(error);
    };
    running.forEach((outcome, index) => {
      Promise.resolve(outcome).then((settled) => {
        outcomes[index] = settled;
        if (--left > 0) return;
        clearTimeout(timer);
        resolve(outcomes);
      }, fail);
    });
  });
}

function toMessages(activities: readonly ScheduleActivity[], outcomes: readonly ActivityOutcome[], now: number): TurnRequest['messages'] {
  const timestamp = isoTimestamp(now);
  return activities.map(({ taskId }, index): TurnMessage => {
    const outcome = outcomes[index]!;
    const event: InboxEvent =
      'failure' in outcome
        ? { type: 'TaskFailed', timestamp, taskId, failure: outcome.failure }
        : outcome.result === undefined
          ? { type: 'TaskCompleted', timestamp, taskId }
          : { type: 'TaskCompleted', timestamp, taskId, result: outcome.result };
    return { id: `inline-${taskId}-${index}`, event };
  });
}

/**
 * One turn that records what the chained turns recorded. Activities that
 * earlier turns ran inline are not dispatched again; everything else every
 * turn asked for is.
 */
export function mergeTurns(turns: readonly TurnResult[]): TurnResult {
  const last = turns[turns.length - 1]!;
  if (turns.length === 1) return last;
  const newEvents: HistoryEvent[] = [];
  const actions: ScheduledAction[] = [];
  const controlMessages: NonNullable<TurnResult['controlMessages']>[number][] = [];
  let customStatus: TurnResult['customStatus'];
  for (const turn of turns) {
    for (const event of turn.newEvents) newEvents.push(event);
    for (const action of turn.actions) if (turn === last || action.kind !== 'ScheduleActivity') actions.push(action);
    for (const message of turn.controlMessages ?? []) controlMessages.push(message);
    if (turn.customStatus !== undefined) customStatus = turn.customStatus;
  }
  return {
    ...last,
    consumedMessageIds: turns[0]!.consumedMessageIds,
    newEvents,
    actions,
    controlMessages,
    ...(customStatus ? { customStatus } : {}),
  };
}
