/**
 * @module test/durable-functions/functions-host.test
 * The pieces of `perdure start <dir>` that need no server: the `main` glob,
 * NCRONTAB schedules, and the errors for what
 * Perdure does not support.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expandGlob, globToRegExp } from '../../src/cli/glob.ts';
import { parseSchedule } from '../../src/azure-functions/schedule.ts';
import * as azure from '../../src/azure-functions/index.ts';
import { RetryOptions } from '../../src/durable-functions/retry-options.ts';
import { EntityId } from '../../src/durable-functions/entity.ts';
import { ValidationError } from '../../src/model/errors.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

describe('package.json main globs', () => {
  it('match as the Azure Functions worker does', () => {
    assert.ok(globToRegExp('src/functions/*.js').test('src/functions/hello.js'));
    assert.ok(!globToRegExp('src/functions/*.js').test('src/functions/sub/hello.js'));
    assert.ok(globToRegExp('dist/src/{index.js,functions/*.js}').test('dist/src/index.js'));
    assert.ok(globToRegExp('dist/src/{index.js,functions/*.js}').test('dist/src/functions/a.js'));
    assert.ok(globToRegExp('src/**/*.js').test('src/a/b/c.js'));
    assert.ok(globToRegExp('src/**/*.js').test('src/c.js'));
    assert.ok(!globToRegExp('src/*.js').test('src/a.js.map'));
  });

  it('expand to sorted files, never under node_modules', () => {
    using dir = createTempDir();
    for (const file of [
      'src/functions/b.js',
      'src/functions/a.js',
      'src/functions/a.js.map',
      'src/node_modules/x.js',
      'src/functions/node_modules/y.js',
    ]) {
      mkdirSync(join(dir.path, file, '..'), { recursive: true });
      writeFileSync(join(dir.path, file), '');
    }
    assert.deepEqual(expandGlob(dir.path, 'src/functions/*.js'), [dir.file('src/functions/a.js'), dir.file('src/functions/b.js')]);
    assert.deepEqual(expandGlob(dir.path, 'src/**/*.js'), [dir.file('src/functions/a.js'), dir.file('src/functions/b.js')]);
    assert.deepEqual(expandGlob(dir.path, 'lib/*.js'), []);
  });
});

describe('timer schedules', () => {
  it('NCRONTAB has six fields, seconds first, in UTC', () => {
    const every5 = parseSchedule('0 */5 * * * *', 't', {});
    assert.equal(every5.next(new Date('2026-01-01T10:02:30Z'))?.toISOString(), '2026-01-01T10:05:00.000Z');
    const nineThirty = parseSchedule('0 30 9 * * 1-5', 't', {});
    // 2026-01-03 is a Saturday: the next weekday 09:30 is Monday the 5th.
    assert.equal(nineThirty.next(new Date('2026-01-03T00:00:00Z'))?.toISOString(), '2026-01-05T09:30:00.000Z');
  });

  it('day-of-month and day-of-week must both match (NCrontab), not either', () => {
    // The 13th that is a Friday: 2026-02-13.
    const friday13 = parseSchedule('0 0 0 13 * 5', 't', {});
    assert.equal(friday13.next(new Date('2026-01-01T00:00:00Z'))?.toISOString(), '2026-02-13T00:00:00.000Z');
  });

  it('TimeSpan schedules and %AppSetting% work; anything else is refused at registration', () => {
    assert.equal(parseSchedule('00:00:10', 't', {}).next(new Date(0))?.getTime(), 10_000);
    assert.equal(parseSchedule('%EVERY%', 't', { EVERY: '0 0 * * * *' }).expression, '0 0 * * * *');
    assert.throws(
      () => parseSchedule('*/5 * * * *', 'fiveFields', {}),
      (e: unknown) => e instanceof ValidationError && /fiveFields/.test(e.message),
    );
    assert.throws(() => parseSchedule('%MISSING%', 't', {}), /MISSING/);
    assert.throws(() => parseSchedule('0 61 * * * *', 't', {}), ValidationError);
  });
});

describe('what Perdure does not support', () => {
  it('other triggers and bindings throw UnsupportedFeatureError naming the feature and the function', () => {
    assert.throws(
      () => azure.app.storageQueue('orders', { handler: () => undefined }),
      (e: unknown) => e instanceof azure.UnsupportedFeatureError && /storage queue.*orders/.test(e.message),
    );
    assert.throws(
      () => azure.app.http('withBlob', { handler: () => ({}), extraInputs: [azure.input.storageBlob({ path: 'x', connection: 'c' })] }),
      /'blob' input binding.*withBlob/,
    );
  });

  it('RetryOptions and EntityId check their arguments as Durable Functions does', () => {
    assert.throws(() => new RetryOptions(0, 3), RangeError);
    assert.throws(() => new RetryOptions('5' as never, 3), TypeError);
    assert.equal(new EntityId('Counter', 'a').toString(), '@counter@a');
  });
});
