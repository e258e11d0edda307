/**
 * @module test/schedules/schedules.test
 * Schedules on a real host with the manual clock, on a SQLite file and on
 * PostgreSQL: every overlap policy, catch-up after downtime, and the
 * client operations (create, update, pause, unpause, trigger, delete,
 * list, describe) with declared schedules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock, ScheduleAlreadyExistsError, ScheduleNotFoundError, type Host, type OverlapPolicy } from '../../src/index.ts';
import { createHost } from '../../src/index.ts';
import { openHost, recordingLogger, scheduleApp, STORES, T_START } from './schedule-hosts.ts';

const MINUTE = 60_000;
const at = (minutes: number) => `s@${new Date(T_START + minutes * MINUTE).toISOString()}`;

async function statusOf(host: Host, id: string): Promise<string | undefined> {
  return (await host.client.getStatus(id))?.runtimeStatus;
}

/** Advances to the next minute and fires what is due. */
async function nextMinute(host: Host, clock: ReturnType<typeof createManualClock>): Promise<void> {
  clock.advance(MINUTE);
  await host.tickSchedules();
}

async function finish(host: Host, id: string): Promise<void> {
  await host.client.raiseEvent(id, 'finish');
  await host.client.waitForCompletion(id, { timeoutMs: 20_000 });
}

async function outcomes(host: Host): Promise<string[]> {
  return (await host.client.schedules.describe('s')).recentActions.map((a) => `${a.instanceId.slice(-13, -8)} ${a.outcome}`);
}

for (const store of STORES) {
  describe(`schedules on ${store.name}`, () => {
    async function withHost(overlap: OverlapPolicy, run: (host: Host, clock: ReturnType<typeof createManualClock>) => Promise<void>) {
      await using url = await store.open();
      const clock = createManualClock(T_START);
      await using host = await openHost(url.url, clock);
      await host.client.schedules.create('s', {
        everyMs: MINUTE,
        orchestration: 'Job',
        input: { n: 1 },
        overlap,
        catchupWindowMs: 10 * MINUTE,
      });
      await run(host, clock);
    }

    it('skip: a fire while the last run is live is skipped', () =>
      withHost('skip', async (host, clock) => {
        await nextMinute(host, clock);
        assert.equal((await statusOf(host, at(1))) !== undefined, true);
        await nextMinute(host, clock);
        assert.equal(await statusOf(host, at(2)), undefined);
        await finish(host, at(1));
        await nextMinute(host, clock);
        assert.ok(await statusOf(host, at(3)));
        assert.deepEqual(await outcomes(host), ['00:01 started', '00:02 skipped', '00:03 started']);
      }));

    it('allowAll: every fire starts', () =>
      withHost('allowAll', async (host, clock) => {
        await nextMinute(host, clock);
        await nextMinute(host, clock);
        assert.ok(await statusOf(host, at(1)));
        assert.ok(await statusOf(host, at(2)));
      }));

    it('bufferOne: one fire waits for the live run, later ones are dropped', () =>
      withHost('bufferOne', async (host, clock) => {
        await nextMinute(host, clock);
        await nextMinute(host, clock);
        await nextMinute(host, clock);
        assert.equal(await statusOf(host, at(2)), undefined);
        await finish(host, at(1));
        await host.tickSchedules();
        assert.ok(await statusOf(host, at(2)), 'the buffered fire starts once the run ends');
        assert.equal(await statusOf(host, at(3)), undefined);
        assert.deepEqual(await outcomes(host), ['00:01 started', '00:02 buffered', '00:03 dropped', '00:02 started']);
      }));

    it('bufferAll: every fire waits its turn, in order', () =>
      withHost('bufferAll', async (host, clock) => {
        await nextMinute(host, clock);
        await nextMinute(host, clock);
        await nextMinute(host, clock);
        await finish(host, at(1));
        await host.tickSchedules();
        assert.ok(await statusOf(host, at(2)));
        assert.equal(await statusOf(host, at(3)), undefined);
        await finish(host, at(2));
        await host.tickSchedules();
        assert.ok(await statusOf(host, at(3)));
      }));

    it('terminateOther: the live run is terminated and the new one starts at once', () =>
      withHost('terminateOther', async (host, clock) => {
        await nextMinute(host, clock);
        await nextMinute(host, clock);
        const old = await host.client.waitForCompletion(at(1), { timeoutMs: 20_000 });
        assert.equal(old.runtimeStatus, 'Terminated');
        assert.ok(await statusOf(host, at(2)));
      }));

    it('cancelOther: the live run gets a cancel request, and the new one starts when it ends', () =>
      withHost('cancelOther', async (host, clock) => {
        await nextMinute(host, clock);
        await nextMinute(host, clock);
        const old = await host.client.waitForCompletion(at(1), { timeoutMs: 20_000 });
        assert.equal(old.runtimeStatus, 'Completed', 'Job ends on the cancel request');
        await host.tickSchedules();
        assert.ok(await statusOf(host, at(2)));
      }));

    it('catch-up: after downtime, fires within the window start and older ones are skipped with a log line', async () => {
      await using url = await store.open();
      const clock = createManualClock(T_START);
      {
        await using host = await openHost(url.url, clock);
        await host.client.schedules.create('s', { everyMs: MINUTE, orchestration: 'Quick', overlap: 'allowAll', catchupWindowMs: 150_000 });
      }
      clock.advance(5 * MINUTE); // every host is down for fires 1..5
      const logger = recordingLogger();
      await using host = await openHost(url.url, clock, logger);
      await host.tickSchedules();
      for (const minute of [1, 2]) assert.equal(await statusOf(host, at(minute)), undefined, `fire ${minute} is too old`);
      for (const minute of [3, 4, 5]) assert.ok(await statusOf(host, at(minute)), `fire ${minute} is caught up`);
      assert.equal(logger.warnings.filter((w) => w.includes("Schedule 's': skipped the fire time")).length, 2);
      assert.deepEqual((await outcomes(host)).slice(0, 2), ['00:01 missed', '00:02 missed']);
      // A restart does not fire them again.
      await host.tickSchedules();
      assert.equal((await host.client.listInstances({ instanceIdPrefix: 's@' })).instances.length, 3);
    });

    it('client operations and declared schedules', async () => {
      await using url = await store.open();
      const clock = createManualClock(T_START);
      const app = scheduleApp();
      app.schedule('declared', { cron: '0 3 * * *', timeZone: 'Europe/Berlin', orchestration: 'Quick', startPaused: true });
      await using host = await createHost({ app, store: url.url, clock, logger: recordingLogger() });
      const { schedules } = host.client;
      const declared = await schedules.describe('declared');
      assert.equal(declared.paused, true);
      assert.deepEqual(declared.nextFireTimes, []);
      const created = await schedules.create('s', { cron: '0 3 * * *', timeZone: 'Europe/Berlin', orchestration: 'Quick', input: 1 });
      assert.deepEqual(created.nextFireTimes.slice(0, 2), ['2030-01-01T02:00:00.000Z', '2030-01-02T02:00:00.000Z']);
      assert.equal(created.nextFireTimes.length, 5);
      await assert.rejects(schedules.create('s', { everyMs: MINUTE, orchestration: 'Quick' }), ScheduleAlreadyExistsError);
      await schedules.update('s', { input: 2 });
      const triggered = await schedules.trigger('s');
      await host.tickSchedules();
      const run = `s@${new Date(T_START).toISOString()}`;
      assert.equal((await host.client.waitForCompletion(run, { timeoutMs: 20_000 })).output, 2);
      assert.equal(triggered.definition.input, 2);
      await schedules.pause('s');
      clock.advance(24 * 60 * MINUTE);
      await host.tickSchedules();
      assert.equal((await host.client.listInstances({ instanceIdPrefix: 's@' })).instances.length, 1, 'paused: no fire');
      const resumed = await schedules.unpause('s');
      assert.equal(resumed.nextFireTimes[0], '2030-01-02T02:00:00.000Z');
      await host.tickSchedules();
      assert.equal(await statusOf(host, 's@2030-01-01T02:00:00.000Z'), undefined, 'fires missed while paused are not caught up');
      assert.deepEqual(
        (await schedules.list()).map((s) => s.name),
        ['declared', 's'],
      );
      await schedules.delete('s');
      await assert.rejects(schedules.describe('s'), ScheduleNotFoundError);
    });
  });
}
