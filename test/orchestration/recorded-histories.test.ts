/**
 * Histories recorded by earlier engine versions (test/fixtures/histories)
 * must replay with today's engine to the same result, without a
 * non-determinism error: a change that breaks them would break running
 * instances after an upgrade. They are replayed as users replay theirs,
 * with `perdure/testing`: Perdure's own shape (`*.json` with `history`) and
 * the HTTP status route's Durable Functions shape (`*.df.json`, the route's
 * answer with `historyEvents`).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assertReplays, replayHistory, type HistoryInput } from 'perdure/testing';
import { buildFixtureApp } from '../fixtures/histories/orchestrations.ts';

const dir = new URL('../fixtures/histories/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('recorded histories replay unchanged', () => {
  it('has fixtures of both shapes to replay', () => {
    assert.ok(fixtures.filter((f) => f.endsWith('.df.json')).length >= 5);
    assert.ok(fixtures.filter((f) => !f.endsWith('.df.json')).length >= 5);
  });
  for (const file of fixtures) {
    it(file, () => {
      const recorded = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as HistoryInput & { output: unknown };
      const result = replayHistory(buildFixtureApp(), recorded);
      assert.equal(result.divergence, undefined);
      assert.equal(result.status, 'Completed');
      assert.deepEqual(result.output, recorded.output);
    });
  }
  it('replays the whole directory with assertReplays', async () => {
    const results = await assertReplays(buildFixtureApp(), dir);
    assert.equal(results.length, fixtures.length);
  });
});
