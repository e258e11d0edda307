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
import type { InboxEvent } from '../model/history.ts';
import type { OrchestrationExecutor } from '../orchestration/executor.ts';
import type { ScheduledAction } from '../orchestration/scheduled-action.ts';
import { runTurn, type TurnRequest, type TurnResult } from '../orchestration/turn.ts';
import type { ActivityOutcome } from '../store/store.ts';

export interface InlineActivityRunner {
  /** True if every activity can run here now (registered, and free slots for all). */
  canRunAll(names: readonly string[]): boolean;
  /** Starts an activity outside the claim loop; the promise settles with its outcome. */
  run(activity: InlineActivity): Promise<ActivityOutcome>;
}

export interface InlineActivity {
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskId: number;
  readonly name: string;
  readonly input: unknown;
}

export interface ChainOptions {
  readonly windowMs: number;
  readonly maxTurns: number;
  readonly now: () => number;
}

export interface ChainResult {
  readonly turn: TurnResult;
  /** Activities of the final turn that are already running here, by task ID: commit them leased to this host. */
  readonly running: ReadonlyMap<number, Promise<ActivityOutcome>>;
}

type ScheduleActivity = Extract<ScheduledAction, { kind: 'ScheduleActivity' }>;

export async function runChain(
  executor: OrchestrationExecutor,
  first: TurnResult,
  request: TurnRequest,
  runner: InlineActivityRunner,
  options: ChainOptions,
): Promise<ChainResult> {
  const turns = [first];
  let turn = first;
  while (!turn.ended && turns.length < options.maxTurns) {
    const activities = turn.actions.filter((a): a is ScheduleActivity => a.kind === 'ScheduleActivity');
    if (activities.length === 0 || !runner.canRunAll(activities.map((a) => a.name))) break;
    const running = new Map(activities.map((a) => [a.taskId, runner.run({ ...a, instanceId: executor.instanceId, executionId: request.executionId })]));
    const outcomes = await settleWithin(running, options.windowMs);
    if (!outcomes) return { turn: mergeTurns(turns), running };
    turn = runTurn(executor, { ...request, runtimeStatus: turn.runtimeStatus, messages: toMessages(outcomes, options.now()), now: options.now() });
    turns.push(turn);
  }
  return { turn: mergeTurns(turns), running: new Map() };
}

async function settleWithin(
  running: ReadonlyMap<number, Promise<ActivityOutcome>>,
  windowMs: number,
): Promise<Map<number, ActivityOutcome> | undefined> {
  const all = Promise.all([...running].map(async ([taskId, outcome]) => [taskId, await outcome] as const));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), windowMs);
  });
  const settled = await Promise.race([all, timeout]);
  clearTimeout(timer);
  return settled ? new Map(settled) : undefined;
}

function toMessages(outcomes: ReadonlyMap<number, ActivityOutcome>, now: number): TurnRequest['messages'] {
  const timestamp = new Date(now).toISOString();
  return [...outcomes].map(([taskId, outcome], index) => {
    const event: InboxEvent =
      'failure' in outcome
        ? { type: 'TaskFailed', timestamp, taskId, failure: outcome.failure }
        : { type: 'TaskCompleted', timestamp, taskId, ...(outcome.result === undefined ? {} : { result: outcome.result }) };
    return { id: `inline-${taskId}-${index}`, event };
  });
}

/**
 * One turn that records what the chained turns recorded. Activities that
 * earlier turns ran inline are not dispatched again; everything else every
 * turn asked for is.
 */
export function mergeTurns(turns: readonly TurnResult[]): TurnResult {
  const last = turns.at(-1)!;
  if (turns.length === 1) return last;
  const earlier = turns.slice(0, -1);
  const customStatus = [...turns].reverse().find((t) => t.customStatus !== undefined)?.customStatus;
  return {
    ...last,
    consumedMessageIds: turns[0]!.consumedMessageIds,
    newEvents: turns.flatMap((t) => t.newEvents),
    actions: [...earlier.flatMap((t) => t.actions.filter((a) => a.kind !== 'ScheduleActivity')), ...last.actions],
    controlMessages: turns.flatMap((t) => t.controlMessages ?? []),
    ...(customStatus ? { customStatus } : {}),
  };
}
