/**
 * @module bench/lib/monitor-app
 * The app W9 runs: `Monitor`, a singleton monitor in the shape of an
 * eternal orchestration. Each generation waits on a timer `periodMs` after
 * the generation began, calls the `MonitorCheck` activity once, and
 * continues as new; it completes after `generations` generations so a run
 * can end and be checked.
 *
 * What must hold: the activity records, per (instance, generation), how
 * many times it ran and how late it started (Date.now() when it runs minus
 * the timer's due time, which the orchestration passes as input). One
 * clock read per activity, so measuring does not disturb what is measured.
 */
import { createApp, type FunctionApp, type OrchestrationContext } from '../../src/index.ts';

export interface MonitorInput {
  readonly gen: number;
  readonly generations: number;
  readonly periodMs: number;
}

export interface MonitorRecord {
  readonly instanceId: string;
  readonly gen: number;
  readonly dueAt: number;
  readonly startedAt: number;
}

export interface MonitorApp {
  readonly app: FunctionApp;
  /** Every activity run, in the order they ran. */
  readonly records: MonitorRecord[];
}

export function buildMonitorApp(): MonitorApp {
  const app = createApp();
  const records: MonitorRecord[] = [];
  const check = app.activity('MonitorCheck', (input: { instanceId: string; gen: number; dueAt: number }) => {
    records.push({ ...input, startedAt: Date.now() });
    return input.gen;
  });

  app.orchestration('Monitor', function* (ctx: OrchestrationContext<MonitorInput>) {
    const { gen, generations, periodMs } = ctx.getInput();
    const dueAt = ctx.currentUtcDateTime.getTime() + periodMs;
    yield ctx.createTimer(dueAt);
    const checked = yield* ctx.callActivity(check, { instanceId: ctx.instanceId, gen, dueAt });
    if (checked !== gen) throw new Error(`MonitorCheck(${gen}) returned ${checked}`);
    if (gen + 1 >= generations) return generations;
    ctx.continueAsNew({ gen: gen + 1, generations, periodMs });
    return null;
  });

  return { app, records };
}
