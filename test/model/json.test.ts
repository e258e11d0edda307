/**
 * @module test/model/json.test
 * Payload rules: what normalizePayload gives back is what a JSON round trip
 * gives, primitives included (they skip the round trip), and what JSON
 * would mangle or what is over the limit is refused at the call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PayloadTooLargeError, ValidationError } from '../../src/model/errors.ts';
import { normalizePayload } from '../../src/model/json.ts';

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
