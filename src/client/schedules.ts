/**
 * @module client/schedules
 * `client.schedules`: create, update, pause, unpause, trigger, delete, list
 * and describe schedules at run time. Each is durable in the store, as
 * declared schedules are, and every change is a compare-and-set on the
 * schedule's version, retried on a lost race, so concurrent changes from
 * hosts and the firing loop never overwrite each other.
 */
import { PerdureError, ScheduleAlreadyExistsError, ScheduleNotFoundError } from '../model/errors.ts';
import type { Clock } from '../runtime/clock.ts';
import type { ScheduleRecord, Store } from '../store/store.ts';
import {
  nextFireTimes,
  validateScheduleName,
  validateScheduleOptions,
  type ScheduleDefinition,
  type ScheduleOptions,
} from './schedule-spec.ts';
import { initialState, type ScheduleAction, type ScheduleState } from './schedule-state.ts';

export interface ScheduleDescription {
  readonly name: string;
  readonly definition: ScheduleDefinition;
  readonly paused: boolean;
  /** The next 5 fire times (ISO), none while paused. */
  readonly nextFireTimes: readonly string[];
  /** The last 10 actions, newest last, with their instance IDs and outcomes. */
  readonly recentActions: readonly ScheduleAction[];
  /** The latest run started, which the overlap policy looks at. */
  readonly running?: string;
  /** Fire times waiting for the running one to finish. */
  readonly buffered: readonly string[];
}

export interface ScheduleClientOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly maxPayloadBytes: number;
  /** Called after a change, so this host's firing loop looks at once. */
  readonly onChange?: () => void;
}

const MAX_CAS_ATTEMPTS = 20;

export class ScheduleClient {
  constructor(private readonly options: ScheduleClientOptions) {}

  /**
   * Creates a schedule; throws ScheduleAlreadyExistsError if the name is taken.
   * @example
   * await client.schedules.create('nightly', { cron: '0 3 * * *', timeZone: 'Europe/Berlin', orchestration: 'Report' });
   */
  async create(name: string, options: ScheduleOptions): Promise<ScheduleDescription> {
    const checked = validateScheduleName(name);
    const definition = validateScheduleOptions(options, this.options.maxPayloadBytes);
    const now = this.options.clock.now();
    const state = initialState(now, options.startPaused === true);
    const created = await this.options.store.writeSchedule({ name: checked, expectedVersion: 0, value: { definition, state }, now });
    if (!created) throw new ScheduleAlreadyExistsError(checked);
    this.options.onChange?.();
    return this.#describe(checked, definition, state);
  }

  /** Replaces the given fields of the definition; the firing state (cursor, running run, actions) is kept. */
  async update(name: string, changes: Partial<ScheduleOptions>): Promise<ScheduleDescription> {
    return this.#mutate(name, (definition, state) => ({
      definition: validateScheduleOptions({ ...definition, ...changes }, this.options.maxPayloadBytes),
      state,
    }));
  }

  async pause(name: string): Promise<ScheduleDescription> {
    return this.#mutate(name, (definition, state) => ({ definition, state: { ...state, paused: true } }));
  }

  /** Fires missed while paused are not caught up: the schedule goes on from now. */
  async unpause(name: string): Promise<ScheduleDescription> {
    const now = this.options.clock.now();
    return this.#mutate(name, (definition, state) => ({
      definition,
      state: state.paused ? { ...state, paused: false, cursor: Math.max(state.cursor, now) } : state,
    }));
  }

  /** Fires now (instance `{name}@{ISO now}`), under the schedule's overlap policy, paused or not. */
  async trigger(name: string): Promise<ScheduleDescription> {
    const now = this.options.clock.now();
    return this.#mutate(name, (definition, state) => ({ definition, state: { ...state, triggers: [...state.triggers, now] } }));
  }

  /** Deletes the schedule; its runs are left as they are. Throws ScheduleNotFoundError. */
  async delete(name: string): Promise<void> {
    const checked = validateScheduleName(name);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const record = await this.#read(checked);
      const now = this.options.clock.now();
      if (await this.options.store.writeSchedule({ name: checked, expectedVersion: record.version, value: null, now })) return;
    }
    throw new PerdureError(`Could not delete schedule '${checked}': it kept changing`);
  }

  async list(): Promise<ScheduleDescription[]> {
    const records = await this.options.store.listSchedules();
    return records.map((r) => this.#describe(r.name, r.definition as ScheduleDefinition, r.state as ScheduleState));
  }

  async describe(name: string): Promise<ScheduleDescription> {
    const record = await this.#read(validateScheduleName(name));
    return this.#describe(record.name, record.definition as ScheduleDefinition, record.state as ScheduleState);
  }

  async #read(name: string): Promise<ScheduleRecord> {
    const record = (await this.options.store.listSchedules()).find((r) => r.name === name);
    if (record === undefined) throw new ScheduleNotFoundError(name);
    return record;
  }

  async #mutate(
    name: string,
    change: (definition: ScheduleDefinition, state: ScheduleState) => { definition: ScheduleDefinition; state: ScheduleState },
  ): Promise<ScheduleDescription> {
    const checked = validateScheduleName(name);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const record = await this.#read(checked);
      const value = change(record.definition as ScheduleDefinition, record.state as ScheduleState);
      const now = this.options.clock.now();
      if (await this.options.store.writeSchedule({ name: checked, expectedVersion: record.version, value, now })) {
        this.options.onChange?.();
        return this.#describe(checked, value.definition, value.state);
      }
    }
    throw new PerdureError(`Could not change schedule '${checked}': it kept changing`);
  }

  #describe(name: string, definition: ScheduleDefinition, state: ScheduleState): ScheduleDescription {
    const upcoming = state.paused ? [] : nextFireTimes(definition, Math.max(state.cursor, this.options.clock.now()), 5);
    return {
      name,
      definition,
      paused: state.paused,
      nextFireTimes: upcoming.map((t) => new Date(t).toISOString()),
      recentActions: state.actions,
      ...(state.running === undefined ? {} : { running: state.running }),
      buffered: state.buffered.map((t) => new Date(t).toISOString()),
    };
  }
}
