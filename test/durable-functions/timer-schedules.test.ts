/**
 * @module test/durable-functions/timer-schedules.test
 * `app.timer` on durable schedules, on a SQLite file and on PostgreSQL with
 * the manual clock: each occurrence runs the handler once through the
 * built-in orchestration, with Azure's `Timer` object; a missed occurrence
 * is caught up after downtime and reported past due; `runOnStartup` runs it
 * at once; a handler that throws fails its instance.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSchedule } from '../../src/azure-functions/schedule.ts';
import { nextFireAfter, validateScheduleOptions } from '../../src/client/schedule-spec.ts';
import { registerTimerSchedules, timerScheduleName, triggerStartupTimers } from '../../src/azure-functions/timer-schedules.ts';
import type { TimerFunction } from '../../src/azure-functions/registry.ts';
import type { Timer } from '../../src/azure-functions/timer-types.ts';
import { createApp, createHost, createManualClock, type Host } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { STORES, T_START } from '../schedules/schedule-hosts.ts';

const MINUTE = 60_000;

interface Call {
  readonly timer: Timer;
  readonly functionName: string;
}

function timerFunction(calls: Call[], options: { runOnStartup?: boolean; fail?: boolean } = {}): TimerFunction {
  const expression = '0 */1 * * * *';
  return {
    name: 'tick',
    schedule: parseSchedule(expression, 'tick', {}),
    runOnStartup: options.runOnStartup ?? false,
    extraInputs: [],
    options: {
      schedule: expression,
      handler: (timer, context) => {
        calls.push({ timer, functionName: context.functionName });
        if (options.fail) throw new Error('the report server is down');
      },
    },
  };
}

async function openTimerHost(url: string, clock: ReturnType<typeof createManualClock>, timer: TimerFunction): Promise<Host> {
  const app = createApp();
  const ref: { host?: Host } = {};
  const binding = { client: () => ref.host!.client, origin: () => 'http://127.0.0.1:7071', logger: silentLogger, now: () => clock.now() };
  registerTimerSchedules(app, [timer], binding);
  ref.host = await createHost({ app, store: url, clock, logger: silentLogger });
  return ref.host;
}

const runId = (minutes: number) =>
  `${timerScheduleName({ name: 'tick' } as TimerFunction)}@${new Date(T_START + minutes * MINUTE).toISOString()}`;

for (const store of STORES) {
  describe(`timer functions on durable schedules (${store.name})`, () => {
    it('runs the handler once per occurrence with the Timer object', async () => {
      await using url = await store.open();
      const clock = createManualClock(T_START);
      const calls: Call[] = [];
      await using host = await openTimerHost(url.url, clock, timerFunction(calls));
      for (const minute of [1, 2]) {
        clock.advance(MINUTE);
        await host.tickSchedules();
        await host.tickSchedules();
        assert.equal((await host.client.waitForCompletion(runId(minute), { timeoutMs: 20_000 })).runtimeStatus, 'Completed');
      }
      assert.equal(calls.length, 2, 'one call per occurrence, however often the schedule is ticked');
      assert.equal(calls[0]!.functionName, 'tick');
      assert.deepEqual(calls[1]!.timer.scheduleStatus, {
        last: new Date(T_START + MINUTE).toISOString(),
        next: new Date(T_START + 3 * MINUTE).toISOString(),
        lastUpdated: new Date(T_START + 2 * MINUTE).toISOString(),
      });
      assert.equal(calls[1]!.timer.isPastDue, false);
    });

    it('catches up an occurrence missed while no host ran, reported past due', async () => {
      await using url = await store.open();
      const clock = createManualClock(T_START);
      const calls: Call[] = [];
      {
        await using host = await openTimerHost(url.url, clock, timerFunction(calls));
        await host.tickSchedules();
      }
      clock.advance(5 * MINUTE + 30_000);
      await using host = await openTimerHost(url.url, clock, timerFunction(calls));
      await host.tickSchedules();
      const described = await host.client.schedules.describe(timerScheduleName({ name: 'tick' } as TimerFunction));
      const started = described.recentActions.filter((a) => a.outcome === 'started');
      assert.ok(started.length >= 1, 'a missed occurrence was started');
      await host.client.waitForCompletion(started[0]!.instanceId, { timeoutMs: 20_000 });
      assert.equal(calls[0]?.timer.isPastDue, true);
    });

    it('runs a runOnStartup timer at once, and fails the instance of a handler that throws', async () => {
      await using url = await store.open();
      const clock = createManualClock(T_START);
      const calls: Call[] = [];
      await using host = await openTimerHost(url.url, clock, timerFunction(calls, { runOnStartup: true, fail: true }));
      await triggerStartupTimers(host.client, [timerFunction(calls, { runOnStartup: true })]);
      await host.tickSchedules();
      const [triggered] = (await host.client.schedules.describe(timerScheduleName({ name: 'tick' } as TimerFunction))).recentActions;
      assert.ok(triggered, 'the startup trigger started a run');
      const status = await host.client.waitForCompletion(triggered.instanceId, { timeoutMs: 20_000 });
      assert.equal(status.runtimeStatus, 'Failed');
      assert.match(JSON.stringify(status.failureDetails), /the report server is down/);
      assert.equal(calls.length, 1);
    });
  });
}

describe('NCRONTAB day rule on schedules', () => {
  it('a timer schedule fires only on days where both day fields match', () => {
    const { spec } = parseSchedule('0 0 0 13 * 5', 'lucky', {});
    assert.deepEqual(spec, { cron: '0 0 0 13 * 5', timeZone: 'UTC', domAndDow: true });
    const definition = validateScheduleOptions({ ...spec, orchestration: 'Lucky' });
    const next = new Date(nextFireAfter(definition, Date.UTC(2030, 0, 1))!);
    assert.deepEqual([next.getUTCDate(), next.getUTCDay()], [13, 5], 'a Friday the 13th');
    const either = new Date(
      nextFireAfter(validateScheduleOptions({ cron: '0 0 0 13 * 5', orchestration: 'Lucky' }), Date.UTC(2030, 0, 1))!,
    );
    assert.notDeepEqual([either.getUTCDate(), either.getUTCDay()], [13, 5], "cron's rule: either field");
    assert.throws(() => validateScheduleOptions({ cron: '0 0 0 13 * 5', orchestration: 'Lucky', domAndDow: 'yes' as never }), /domAndDow/);
  });
});
