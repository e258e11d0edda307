/**
 * @module test/model/json.test
 * Payload rules: what normalizePayload gives back is what a JSON round trip
 * gives, primitives included (they skip the round trip), and what JSON
 * would mangle or what is over the limit is refused at the call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PayloadTooLargeError, ValidationError } from '../../src/model/errors.ts';
import { assertJsonDepth, MAX_JSON_DEPTH, normalizePayload } from '../../src/model/json.ts';

const roundTrip = (value: unknown) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

describe('normalizePayload', () => {
  it('gives back what a JSON round trip gives', () => {
    for (const value of [
      undefined,
      null,
      true,
      false,
      0,
      -0,
      1.5,
      -7,
      'plain',
      'é\u0000"\\',
      '',
      { a: [1, { b: null }] },
      [1, 'x'],
      { skip: undefined },
    ]) {
      assert.deepEqual(normalizePayload(value, 'input'), roundTrip(value), JSON.stringify(value));
    }
    assert.ok(Object.is(normalizePayload(-0, 'input'), 0), '-0 becomes 0, as JSON gives it');
  });

  it('refuses numbers JSON cannot hold, and payloads over the limit, strings included', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, 10n]) assert.throws(() => normalizePayload(value, 'input'), ValidationError);
    assert.throws(() => normalizePayload('x'.repeat(100), 'input', 50), PayloadTooLargeError);
    assert.throws(() => normalizePayload('\u0001'.repeat(20), 'input', 100), PayloadTooLargeError, 'escapes count');
    assert.equal(normalizePayload('x'.repeat(40), 'input', 50), 'x'.repeat(40));
  });
});

describe('deep values', () => {
  const nested = (depth: number) => {
    let value: unknown = 'bottom';
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { inner: value };
    return value;
  };

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more with a ValidationError naming the limit`, () => {
    assert.deepEqual(normalizePayload(nested(MAX_JSON_DEPTH), 'input'), nested(MAX_JSON_DEPTH));
    assert.throws(
      () => normalizePayload(nested(MAX_JSON_DEPTH + 1), 'input'),
      (e: unknown) => e instanceof ValidationError && e.field === 'input' && e.message.includes(`${MAX_JSON_DEPTH} levels`),
    );
  });

  it('refuses 100,000 levels with a ValidationError, not a RangeError from a recursion', () => {
    assert.throws(() => normalizePayload(nested(100_000), 'result of activity'), ValidationError);
    assert.throws(() => assertJsonDepth(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)), 'body'), ValidationError);
  });

  it('still finds cycles, and lets a shared (acyclic) object through', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = { back: cycle };
    assert.throws(() => normalizePayload(cycle, 'input'), /circular reference/);
    const shared = { n: 1 };
    assert.deepEqual(normalizePayload({ a: shared, b: [shared] }, 'input'), { a: { n: 1 }, b: [{ n: 1 }] });
  });
});
