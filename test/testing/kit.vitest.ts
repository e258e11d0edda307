/**
 * The kit under Vitest (run by test/testing/vitest.test.ts through
 * `npx vitest run`): a time-skipped week-long timer, an activity mock, and
 * a replay check, with Vitest's own describe/it/expect.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from 'perdure';
import { assertReplays, createTestEnvironment, runOrchestrator } from 'perdure/testing';

function buildApp() {
  const app = createApp();
  const remind = app.activity('Remind', (who: string) => `reminded ${who}`);
  app.orchestration('WeeklyReminder', function* (ctx) {
    yield* ctx.createTimer(ctx.currentUtcDateTime.getTime() + 7 * 86_400_000);
    return yield* ctx.callActivity(remind, ctx.getInput<string>());
  });
  return app;
}

describe('perdure/testing under Vitest', () => {
  it('skips a week-long timer and runs a mocked activity', async () => {
    const app = buildApp();
    await using env = await createTestEnvironment({ app });
    env.mockActivity('Remind', (who: string) => `mocked ${who}`);
    const { instanceId } = await env.client.startNew('WeeklyReminder', { input: 'Ada' });
    const status = await env.client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(status.output).toBe('mocked Ada');
    expect(env.clock.now() - Date.UTC(2030, 0, 1)).toBeGreaterThanOrEqual(7 * 86_400_000);

    const history = await env.client.getHistory(instanceId);
    await expect(assertReplays(app, [history])).resolves.toHaveLength(1);
    const changed = createApp();
    changed.activity('Remind', () => '');
    // eslint-disable-next-line require-yield -- the changed code returns before it waits on anything
    changed.orchestration('WeeklyReminder', function* () {
      return 'no timer any more';
    });
    await expect(assertReplays(changed, [history])).rejects.toThrow(/diverges at event #2: history recorded TimerCreated #0/);
  });

  it('steps one decision without a store', () => {
    const step = runOrchestrator(buildApp(), 'WeeklyReminder', { input: 'Ada' });
    expect(step.actions).toEqual([{ kind: 'CreateTimer', taskId: 0, fireAt: '2030-01-08T00:00:00.000Z' }]);
  });
});
