/**
 * @module client/schedule-state
 * A schedule's firing state and the decision of one tick: which fire times
 * are due, what the overlap policy makes of each, and which operations
 * (start, terminate, cancel request) follow.
 *
 * What must hold:
 * - A decision only ever writes operations into the state; a host carries
 *   them out after its compare-and-set won, and any host carries out
 *   operations still in the state on its next tick. Every operation is
 *   idempotent (a start uses the fire's deterministic ID and request ID),
 *   so a crash between the two steps neither loses nor doubles a start.
 * - The cursor moves past every fire time decided, so a fire time is
 *   decided once; fires older than the catch-up window are recorded as
 *   `missed` (and logged), never started.
 * - Only one run per schedule counts as running: the latest started.
 */
import { dueAt, fireInstanceId, fireTimesBetween, type ScheduleDefinition } from './schedule-spec.ts';

export type ScheduleOp =
  | { readonly kind: 'start'; readonly fireTime: number; readonly instanceId: string }
  | { readonly kind: 'terminate'; readonly instanceId: string }
  | { readonly kind: 'cancel'; readonly instanceId: string };

export type ScheduleActionOutcome = 'started' | 'skipped' | 'buffered' | 'dropped' | 'missed' | 'failed';

export interface ScheduleAction {
  readonly fireTime: string;
  readonly instanceId: string;
  readonly outcome: ScheduleActionOutcome;
  readonly decidedAt: string;
  /** What else the action did (`terminated X`, `cancel requested for X`) or why it failed. */
  readonly detail?: string;
}

export interface ScheduleState {
  readonly paused: boolean;
  /** Every fire time up to and including this one has been decided. */
  readonly cursor: number;
  /** The latest run started: the one the overlap policy looks at. */
  readonly running?: string;
  /** Fire times waiting for the running one to finish (bufferOne, bufferAll, cancelOther). */
  readonly buffered: readonly number[];
  /** Fire times asked for by `trigger`, not decided yet. */
  readonly triggers: readonly number[];
  /** Decided and not yet known to be carried out. */
  readonly ops: readonly ScheduleOp[];
  /** The last actions, newest last. */
  readonly actions: readonly ScheduleAction[];
}

export const MAX_ACTIONS = 10;

export function initialState(now: number, paused: boolean): ScheduleState {
  return { paused, cursor: now, buffered: [], triggers: [], ops: [], actions: [] };
}

export interface TickInput {
  readonly name: string;
  readonly definition: ScheduleDefinition;
  readonly state: ScheduleState;
  readonly now: number;
  /** Whether an instance is live (Pending, Running, Suspended). */
  readonly isLive: (instanceId: string) => Promise<boolean>;
  /** Told about fires older than the catch-up window. */
  readonly onMissed: (fireTime: number) => void;
}

/** The state after one tick, or undefined when the tick changes nothing. */
export async function decideTick(input: TickInput): Promise<ScheduleState | undefined> {
  const { name, definition, state, now } = input;
  const due = state.paused ? [] : dueFireTimes(name, definition, state.cursor, now);
  const hasBuffered = state.buffered.length > 0;
  if (due.length === 0 && state.triggers.length === 0 && !hasBuffered) return undefined;
  const draft = new Draft(name, state, now);
  draft.live = state.running !== undefined && (await input.isLive(state.running));
  if (!draft.live && hasBuffered) draft.start(draft.buffered.shift()!);
  for (const fireTime of due) {
    if (now - dueAt(name, definition, fireTime) > definition.catchupWindowMs) {
      input.onMissed(fireTime);
      draft.record(fireTime, 'missed', `older than the catch-up window (${definition.catchupWindowMs} ms)`);
    } else draft.fire(fireTime, definition.overlap);
  }
  for (const fireTime of state.triggers) draft.fire(fireTime, definition.overlap);
  const cursor = due.length > 0 ? due[due.length - 1]! : state.cursor;
  if (due.length === 0 && state.triggers.length === 0 && draft.ops.length === 0) return undefined;
  return draft.finish(cursor);
}

/** Fire times after the cursor whose due time (jitter included) has come, in order; stops at the first not yet due. */
function dueFireTimes(name: string, definition: ScheduleDefinition, cursor: number, now: number): number[] {
  const times = fireTimesBetween(definition, cursor, now);
  const firstNotDue = times.findIndex((t) => dueAt(name, definition, t) > now);
  return firstNotDue === -1 ? times : times.slice(0, firstNotDue);
}

/** The state being decided. */
class Draft {
  live = false;
  running: string | undefined;
  readonly buffered: number[];
  readonly ops: ScheduleOp[] = [];
  readonly actions: ScheduleAction[];
  constructor(
    private readonly name: string,
    private readonly state: ScheduleState,
    private readonly now: number,
  ) {
    this.running = state.running;
    this.buffered = [...state.buffered];
    this.actions = [...state.actions];
  }

  fire(fireTime: number, overlap: ScheduleDefinition['overlap']): void {
    if (!this.live || overlap === 'allowAll') return this.start(fireTime);
    switch (overlap) {
      case 'skip':
        return this.record(fireTime, 'skipped', `${this.running} is still running`);
      case 'bufferOne':
        if (this.buffered.length > 0) return this.record(fireTime, 'dropped', 'one start is already buffered');
        this.buffered.push(fireTime);
        return this.record(fireTime, 'buffered');
      case 'bufferAll':
        this.buffered.push(fireTime);
        return this.record(fireTime, 'buffered');
      case 'cancelOther':
        for (const older of this.buffered.splice(0)) this.record(older, 'dropped', 'a newer fire replaced it');
        if (!this.ops.some((op) => op.kind === 'cancel' && op.instanceId === this.running)) {
          this.ops.push({ kind: 'cancel', instanceId: this.running! });
        }
        this.buffered.push(fireTime);
        return this.record(fireTime, 'buffered', `cancel requested for ${this.running}`);
      case 'terminateOther': {
        const other = this.running!;
        this.ops.push({ kind: 'terminate', instanceId: other });
        return this.start(fireTime, `terminated ${other}`);
      }
    }
  }

  start(fireTime: number, detail?: string): void {
    const instanceId = fireInstanceId(this.name, fireTime);
    this.ops.push({ kind: 'start', fireTime, instanceId });
    this.running = instanceId;
    this.live = true;
    this.record(fireTime, 'started', detail);
  }

  record(fireTime: number, outcome: ScheduleActionOutcome, detail?: string): void {
    this.actions.push({
      fireTime: new Date(fireTime).toISOString(),
      instanceId: fireInstanceId(this.name, fireTime),
      outcome,
      decidedAt: new Date(this.now).toISOString(),
      ...(detail === undefined ? {} : { detail }),
    });
  }

  finish(cursor: number): ScheduleState {
    return {
      paused: this.state.paused,
      cursor,
      ...(this.running === undefined ? {} : { running: this.running }),
      buffered: this.buffered,
      triggers: [],
      ops: [...this.state.ops, ...this.ops],
      actions: this.actions.slice(-MAX_ACTIONS),
    };
  }
}

/** Marks an action failed (its start could not be made); the ops are cleared by the caller. */
export function withFailedAction(state: ScheduleState, instanceId: string, reason: string): ScheduleState {
  const actions = state.actions.map((a) =>
    a.instanceId === instanceId && a.outcome === 'started' ? { ...a, outcome: 'failed' as const, detail: reason } : a,
  );
  return { ...state, actions };
}
