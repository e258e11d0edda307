/**
 * @module client/schedule-runner
 * The host-side loop that fires schedules. On every tick it reads the
 * schedules, carries out operations left in a state, decides due fires
 * (schedule-state.ts) and writes the new state with a compare-and-set.
 *
 * What must hold:
 * - Exactly one start per fire time, across hosts and restarts: only the
 *   host whose compare-and-set wins a decision writes it, and every start
 *   uses the fire's deterministic ID `{schedule}@{ISO fire time}` as
 *   instance ID and request ID with `useExisting` and no reuse, so carrying
 *   an operation out twice (two hosts, or a crash before recording it)
 *   answers `existing` instead of starting again.
 * - Time comes from the injected Clock: a manual clock's advance wakes the
 *   loop, and a sleep never outlasts `pollMs` (other hosts' changes, runs
 *   that finished and free a buffered fire).
 */
import {
  FunctionNotFoundError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidInstanceStateError,
  ValidationError,
} from '../model/errors.ts';
import { isLiveStatus } from '../model/runtime-status.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import type { ScheduleRecord, Store } from '../store/store.ts';
import type { DurableClient } from './client.ts';
import { dueAt, nextFireAfter, validateScheduleOptions, type ScheduleDefinition, type ScheduleOptions } from './schedule-spec.ts';
import { decideTick, initialState, withFailedAction, type ScheduleOp, type ScheduleState } from './schedule-state.ts';

export interface ScheduleRunnerOptions {
  readonly store: Store;
  readonly client: DurableClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The longest sleep between ticks (default 1000 ms). */
  readonly pollMs?: number;
  readonly maxPayloadBytes?: number;
}

/** The event a run gets from `cancelOther` when a newer fire wants to start. */
export const SCHEDULE_CANCEL_EVENT = 'ScheduleCancelRequested';

export class ScheduleRunner {
  #ticking: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #unsubscribe: (() => void) | undefined;
  constructor(private readonly options: ScheduleRunnerOptions) {}

  /** Creates declared schedules that do not exist yet, and brings changed definitions up to date (keeping their state). */
  async declare(schedules: ReadonlyMap<string, ScheduleOptions>): Promise<void> {
    for (const [name, options] of schedules) {
      const definition = validateScheduleOptions(options, this.options.maxPayloadBytes);
      for (let attempt = 0; attempt < 10; attempt++) {
        const record = (await this.options.store.listSchedules()).find((r) => r.name === name);
        const now = this.options.clock.now();
        if (record !== undefined && JSON.stringify(record.definition) === JSON.stringify(definition)) break;
        const state = record === undefined ? initialState(now, options.startPaused === true) : record.state;
        const write = { name, expectedVersion: record?.version ?? 0, value: { definition, state }, now };
        if (await this.options.store.writeSchedule(write)) break;
      }
    }
  }

  /** Starts the loop. */
  start(): void {
    this.#stopped = false;
    this.#unsubscribe = this.options.clock.onAdvance?.(() => this.wake());
    this.wake();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    clearTimeout(this.#timer);
    await this.#ticking;
  }

  /** Ticks soon (after a change, or a clock advance). */
  wake(): void {
    if (this.#stopped) return;
    void this.tick().catch((error: unknown) => this.options.logger.error('Schedules: a tick failed:', errorText(error)));
  }

  /** One pass over every schedule; a call during a pass runs one more pass after it. Resolves when done. */
  tick(): Promise<void> {
    if (this.#ticking !== undefined) {
      this.#again = true;
      return this.#ticking;
    }
    this.#ticking = (async () => {
      try {
        do {
          this.#again = false;
          await this.#pass();
        } while (this.#again);
      } finally {
        this.#ticking = undefined;
      }
    })();
    return this.#ticking;
  }

  async #pass(): Promise<void> {
    clearTimeout(this.#timer);
    let next = Number.POSITIVE_INFINITY;
    try {
      for (const record of await this.options.store.listSchedules()) {
        const state = await this.#advance(record);
        next = Math.min(next, this.#nextDue(record.name, record.definition as ScheduleDefinition, state));
      }
    } finally {
      this.#sleepUntil(next);
    }
  }

  #sleepUntil(next: number): void {
    if (this.#stopped) return;
    const pollMs = this.options.pollMs ?? 1_000;
    const wait = Math.max(0, Math.min(pollMs, next - this.options.clock.now()));
    this.#timer = setTimeout(() => this.wake(), wait);
    this.#timer.unref();
  }

  #nextDue(name: string, definition: ScheduleDefinition, state: ScheduleState): number {
    if (state.paused) return Number.POSITIVE_INFINITY;
    const fire = nextFireAfter(definition, state.cursor);
    return fire === undefined ? Number.POSITIVE_INFINITY : dueAt(name, definition, fire);
  }

  /** Carries out leftover operations, then decides and carries out this tick's; returns the state as last written or read. */
  async #advance(record: ScheduleRecord): Promise<ScheduleState> {
    const definition = record.definition as ScheduleDefinition;
    let state = record.state as ScheduleState;
    let version = record.version;
    if (state.ops.length > 0) {
      const done = await this.#carryOut(record.name, definition, state);
      if (!(await this.#write(record.name, version, definition, done))) return state;
      state = done;
      version += 1;
    }
    const decided = await decideTick({
      name: record.name,
      definition,
      state,
      now: this.options.clock.now(),
      isLive: (id) => this.#isLive(id),
      onMissed: (t) =>
        this.options.logger.warn(
          `Schedule '${record.name}': skipped the fire time ${new Date(t).toISOString()}, missed by more than its catch-up window (${definition.catchupWindowMs} ms).`,
        ),
    });
    if (decided === undefined || !(await this.#write(record.name, version, definition, decided))) return state;
    const done = await this.#carryOut(record.name, definition, decided);
    await this.#write(record.name, version + 1, definition, done);
    return done;
  }

  async #write(name: string, expectedVersion: number, definition: ScheduleDefinition, state: ScheduleState): Promise<boolean> {
    return this.options.store.writeSchedule({ name, expectedVersion, value: { definition, state }, now: this.options.clock.now() });
  }

  async #isLive(instanceId: string): Promise<boolean> {
    const status = await this.options.client.getStatus(instanceId);
    return status !== undefined && isLiveStatus(status.runtimeStatus);
  }

  /** Runs each operation; a start that can never succeed marks its action failed. Store faults throw (retried next tick). */
  async #carryOut(name: string, definition: ScheduleDefinition, state: ScheduleState): Promise<ScheduleState> {
    let result: ScheduleState = { ...state, ops: [] };
    for (const op of state.ops) {
      const failure = await this.#run(op, definition);
      if (failure === undefined) continue;
      this.options.logger.error(`Schedule '${name}': could not start ${op.kind === 'start' ? op.instanceId : ''}: ${failure}`);
      if (op.kind === 'start') result = withFailedAction(result, op.instanceId, failure);
    }
    return result;
  }

  async #run(op: ScheduleOp, definition: ScheduleDefinition): Promise<string | undefined> {
    const { client } = this.options;
    try {
      if (op.kind === 'start') {
        await client.startNew(definition.orchestration, {
          instanceId: op.instanceId,
          requestId: op.instanceId,
          input: definition.input,
          onConflict: 'useExisting',
          reuseStatuses: [],
          // The cursor already keeps a fire from starting twice: a tombstone per purged run would only pile up.
          keepTombstone: false,
        });
      } else if (op.kind === 'terminate')
        await client.terminate(op.instanceId, 'terminated by a newer run of its schedule (terminateOther)');
      else await client.raiseEvent(op.instanceId, SCHEDULE_CANCEL_EVENT, undefined, { eventId: `cancel:${op.instanceId}` });
      return undefined;
    } catch (error) {
      // The run already ended: nothing left to terminate or cancel.
      if (op.kind !== 'start' && (error instanceof InvalidInstanceStateError || error instanceof InstanceNotFoundError)) return undefined;
      if (error instanceof ValidationError || error instanceof FunctionNotFoundError || error instanceof InstanceAlreadyExistsError) {
        return error.message;
      }
      throw error;
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
