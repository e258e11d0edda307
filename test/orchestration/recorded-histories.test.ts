/**
 * Histories recorded by earlier engine versions (test/fixtures/histories)
 * must replay with today's engine to the same result, without a
 * non-determinism error: a change that breaks them would break running
 * instances after an upgrade.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { HistoryEvent } from '../../src/model/history.ts';
import { replayHistory } from '../../src/orchestration/replay.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { buildFixtureApp } from '../fixtures/histories/orchestrations.ts';

const dir = new URL('../fixtures/histories/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('recorded histories replay unchanged', () => {
  it('has fixtures to replay', () => assert.ok(fixtures.length >= 5));
  for (const file of fixtures) {
    it(file, () => {
      const { name, instanceId, output, history } = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as {
        name: string;
        instanceId: string;
        output: unknown;
        history: HistoryEvent[];
      };
      const orchestrator = buildFixtureApp().getOrchestration(name)!.handler;
      const executor = replayHistory({ orchestrator, instanceId, name, logger: silentLogger }, history);
      assert.deepEqual(executor.outcome, { status: 'Completed', result: output });
      assert.deepEqual(executor.takeNewTasks(), [], 'a finished history schedules nothing new');
    });
  }
});
