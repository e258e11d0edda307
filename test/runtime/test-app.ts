/**
 * The app the engine tests run: small orchestrations covering every
 * context primitive, plus counters that record how often each orchestrator
 * body actually ran (not just what the store says).
 */
import { appendFileSync } from 'node:fs';
import { createApp, RetryPolicy, Task, type OrchestrationContext } from '../../src/index.ts';

export function buildTestApp(options: { executionLog?: string; activityDelayMs?: number } = {}) {
  const app = createApp();
  const flaky = new Map<string, number>();
  const sayHello = app.activity('SayHello', async (name: string) => {
    if (options.activityDelayMs) await new Promise((r) => setTimeout(r, options.activityDelayMs));
    return `Hello ${name}!`;
  });
  const double = app.activity('Double', (n: number) => n * 2);
  app.activity('Fail', (message: string) => {
    throw new RangeError(message);
  });
  app.activity('FlakyTwice', (key: string) => {
    const seen = (flaky.get(key) ?? 0) + 1;
    flaky.set(key, seen);
    if (seen <= 2) throw new Error(`flaky attempt ${seen}`);
    return `ok after ${seen}`;
  });

  app.orchestration('HelloSequence', function* (ctx) {
    if (options.executionLog && !ctx.isReplaying) appendFileSync(options.executionLog, `${ctx.instanceId}\n`);
    const tokyo = yield* ctx.callActivity(sayHello, 'Tokyo');
    const seattle: string = yield ctx.callActivity('SayHello', 'Seattle');
    const london = yield* ctx.callActivity(sayHello, 'London');
    return [tokyo, seattle, london];
  });

  app.orchestration('FanOut', function* (ctx: OrchestrationContext<number>) {
    const tasks = Array.from({ length: ctx.getInput() }, (_, i) => ctx.callActivity(double, i));
    const results = yield* Task.all(tasks);
    return results.reduce((sum, x) => sum + x, 0);
  });

  app.orchestration('WaitForEvent', function* (ctx: OrchestrationContext<{ timeoutMs: number }>) {
    const timer = ctx.createTimer(ctx.currentUtcDateTime.getTime() + ctx.getInput().timeoutMs);
    const event = ctx.waitForExternalEvent<string>('Go');
    const winner = yield* Task.any([event, timer]);
    if (winner === event) {
      timer.cancel();
      return `event:${event.result}`;
    }
    return 'timeout';
  });

  app.orchestration('Catcher', function* (ctx) {
    try {
      yield ctx.callActivity('Fail', 'bad thing');
      return 'unreachable';
    } catch (error) {
      return (error as Error).message;
    }
  });

  app.orchestration('Unhandled', function* (ctx) {
    yield ctx.callActivity('Fail', 'not caught');
  });

  app.orchestration('Retrying', function* (ctx) {
    const policy = new RetryPolicy({ firstRetryIntervalMs: 50, maxNumberOfAttempts: 5 });
    return yield ctx.callActivityWithRetry('FlakyTwice', policy, ctx.instanceId);
  });

  const child = app.orchestration('Child', function* (ctx: OrchestrationContext<number>) {
    const doubled = yield* ctx.callActivity(double, ctx.getInput());
    if (doubled < 0) throw new Error('negative');
    return doubled;
  });

  app.orchestration('Parent', function* (ctx: OrchestrationContext<number[]>) {
    const children = ctx.getInput().map((n, i) => ctx.callSubOrchestrator(child, n, `${ctx.instanceId}-child-${i}`));
    try {
      return yield* Task.all(children);
    } catch (error) {
      return { failed: (error as Error).name, message: (error as Error).message };
    }
  });

  app.orchestration('Counter', function* (ctx: OrchestrationContext<{ n: number; until: number }>) {
    const { n, until } = ctx.getInput();
    ctx.setCustomStatus({ n });
    if (n >= until) return n;
    yield ctx.callActivity(double, n);
    ctx.continueAsNew({ n: n + 1, until });
    return null;
  });

  app.orchestration('LongTimer', function* (ctx) {
    yield ctx.createTimer(ctx.currentUtcDateTime.getTime() + 3_600_000);
    return 'woke';
  });

  app.orchestration('Sleeper', function* (ctx: OrchestrationContext<{ ms: number }>) {
    yield ctx.createTimer(ctx.currentUtcDateTime.getTime() + ctx.getInput().ms);
    return 'slept';
  });

  return app;
}
