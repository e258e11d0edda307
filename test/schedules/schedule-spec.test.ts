/**
 * @module test/schedules/schedule-spec.test
 * Fire times as every host computes them: cron in a time zone (the DST rule
 * in Europe/Berlin), fixed intervals, jitter, and the checks on a definition.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dueAt, fireInstanceId, nextFireTimes, validateScheduleOptions } from '../../src/client/schedule-spec.ts';
import { ValidationError } from '../../src/model/errors.ts';
import { createApp, createHost } from '../../src/index.ts';
import { openMemoryStore, silentLogger } from '../../src/testing/index.ts';

const iso = (times: number[]) => times.map((t) => new Date(t).toISOString());
const berlin = (cron: string) => validateScheduleOptions({ cron, timeZone: 'Europe/Berlin', orchestration: 'Job' });

describe('schedule fire times', () => {
  it('a wall-clock time skipped by the spring-forward gap fires once, at the first instant after the gap', () => {
    // 2030-03-31: Berlin moves from 02:00 CET to 03:00 CEST; 02:30 does not exist that day.
    const times = nextFireTimes(berlin('30 2 * * *'), Date.parse('2030-03-29T12:00:00Z'), 3);
    assert.deepEqual(iso(times), [
      '2030-03-30T01:30:00.000Z', // 02:30 CET
      '2030-03-31T01:00:00.000Z', // 03:00 CEST, the end of the gap
      '2030-04-01T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('a wall-clock time repeated by the fall-back fires once, at its first occurrence', () => {
    // 2030-10-27: Berlin moves from 03:00 CEST back to 02:00 CET; 02:30 happens twice.
    const times = nextFireTimes(berlin('30 2 * * *'), Date.parse('2030-10-25T12:00:00Z'), 3);
    assert.deepEqual(iso(times), ['2030-10-26T00:30:00.000Z', '2030-10-27T00:30:00.000Z', '2030-10-28T01:30:00.000Z']);
  });

  it('an hourly pattern fires every real hour through both changes', () => {
    const fall = nextFireTimes(berlin('0 * * * *'), Date.parse('2030-10-26T23:30:00Z'), 4);
    assert.deepEqual(iso(fall), [
      '2030-10-27T00:00:00.000Z',
      '2030-10-27T01:00:00.000Z',
      '2030-10-27T02:00:00.000Z',
      '2030-10-27T03:00:00.000Z',
    ]);
    const spring = nextFireTimes(berlin('0 * * * *'), Date.parse('2030-03-30T23:30:00Z'), 3);
    assert.deepEqual(iso(spring), ['2030-03-31T00:00:00.000Z', '2030-03-31T01:00:00.000Z', '2030-03-31T02:00:00.000Z']);
  });

  it('6-field patterns have seconds; everyMs counts from the epoch', () => {
    const seconds = nextFireTimes(
      validateScheduleOptions({ cron: '*/20 * * * * *', orchestration: 'Job' }),
      Date.parse('2030-01-01T00:00:05Z'),
      2,
    );
    assert.deepEqual(iso(seconds), ['2030-01-01T00:00:20.000Z', '2030-01-01T00:00:40.000Z']);
    const every = nextFireTimes(validateScheduleOptions({ everyMs: 60_000, orchestration: 'Job' }), Date.parse('2030-01-01T00:00:30Z'), 2);
    assert.deepEqual(iso(every), ['2030-01-01T00:01:00.000Z', '2030-01-01T00:02:00.000Z']);
  });

  it('jitter is the same for a fire time on every call, within 0..jitterMs, and differs between fires', () => {
    const definition = validateScheduleOptions({ everyMs: 60_000, jitterMs: 5_000, orchestration: 'Job' });
    const delays = Array.from({ length: 50 }, (_, i) => dueAt('s', definition, i * 60_000) - i * 60_000);
    assert.ok(delays.every((d) => d >= 0 && d <= 5_000));
    assert.equal(new Set(delays).size > 10, true, 'delays vary between fires');
    assert.equal(dueAt('s', definition, 60_000), dueAt('s', definition, 60_000));
    assert.equal(fireInstanceId('s', Date.parse('2030-01-01T03:00:00Z')), 's@2030-01-01T03:00:00.000Z');
  });

  it('bad definitions are ValidationErrors naming the field', () => {
    const field = (options: object) => {
      try {
        validateScheduleOptions(options as never);
      } catch (error) {
        assert.ok(error instanceof ValidationError);
        return error.field;
      }
      assert.fail('expected a ValidationError');
    };
    assert.equal(field({ cron: 'not a cron', orchestration: 'Job' }), 'cron');
    assert.equal(field({ cron: '0 3 * * *', timeZone: 'Mars/Olympus', orchestration: 'Job' }), 'timeZone');
    assert.equal(field({ orchestration: 'Job' }), 'schedule');
    assert.equal(field({ everyMs: 0, orchestration: 'Job' }), 'everyMs');
    assert.equal(field({ everyMs: 1000, orchestration: 'Job', overlap: 'sometimes' }), 'overlap');
    assert.equal(field({ everyMs: 1000, orchestration: 'Job', catchupWindowMs: -1 }), 'catchupWindowMs');
  });

  it('a bad declared schedule makes createHost throw before any worker starts', async () => {
    const app = createApp();
    app.schedule('bad', { cron: '61 * * * *', orchestration: 'Job' });
    const store = await openMemoryStore();
    try {
      await assert.rejects(
        createHost({ app, store, logger: silentLogger }),
        (error) => error instanceof ValidationError && error.field === 'cron',
      );
    } finally {
      await store.close();
    }
  });
});
