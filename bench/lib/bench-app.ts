/**
 * @module bench/lib/bench-app
 * The function app every workload runs, with counters kept outside the
 * store: how many times each orchestrator body really executed (not
 * replayed) and how many activity calls ran, so a check can catch an
 * engine that runs work twice even when the status rows look right.
 */
import { createApp, Task, type FunctionApp, type OrchestrationContext } from '../../src/index.ts';

export interface BenchCounters {
  /** Instance ID → real (non-replay) executions of its orchestrator body. */
  readonly executions: Map<string, number>;
  activityCalls: number;
}

export interface BenchApp {
  readonly app: FunctionApp;
  readonly counters: BenchCounters;
}

export const HELLO_CITIES = ['Tokyo', 'Seattle', 'London'] as const;

/** What HelloSequence returns for input `n`: the input makes every instance's output its own. */
export function expectedHello(n: number): string[] {
  return HELLO_CITIES.map((city) => `Hello ${city} ${n}!`);
}

export function buildBenchApp(): BenchApp {
  const app = createApp();
  const counters: BenchCounters = { executions: new Map(), activityCalls: 0 };
  const countExecution = (ctx: OrchestrationContext<unknown>) => {
    if (!ctx.isReplaying) counters.executions.set(ctx.instanceId, (counters.executions.get(ctx.instanceId) ?? 0) + 1);
  };

  const sayHello = app.activity('SayHello', (name: string) => {
    counters.activityCalls++;
    return `Hello ${name}!`;
  });
  const double = app.activity('Double', (n: number) => {
    counters.activityCalls++;
    return n * 2;
  });

  app.orchestration('HelloSequence', function* (ctx: OrchestrationContext<number>) {
    const n = ctx.getInput();
    const outputs: string[] = [];
    for (const city of HELLO_CITIES) outputs.push(yield* ctx.callActivity(sayHello, `${city} ${n}`));
    return outputs;
  });

  app.orchestration('FanOut', function* (ctx: OrchestrationContext<number>) {
    const results = yield* Task.all(Array.from({ length: ctx.getInput() }, (_, i) => ctx.callActivity(double, i)));
    return results.reduce((sum, x) => sum + x, 0);
  });

  const doubleChild = app.orchestration('DoubleChild', function* (ctx: OrchestrationContext<number>) {
    return yield* ctx.callActivity(double, ctx.getInput());
  });

  app.orchestration('SubFanOut', function* (ctx: OrchestrationContext<number>) {
    const children = Array.from({ length: ctx.getInput() }, (_, i) =>
      ctx.callSubOrchestrator(doubleChild, i, `${ctx.instanceId}-child-${i}`),
    );
    const results = yield* Task.all(children);
    return results.reduce((sum, x) => sum + x, 0);
  });

  app.orchestration('Singleton', function* (ctx: OrchestrationContext<{ timerMs: number }>) {
    countExecution(ctx);
    yield ctx.createTimer(ctx.currentUtcDateTime.getTime() + ctx.getInput().timerMs);
    return ctx.instanceId;
  });

  app.orchestration('Eternal', function* (ctx: OrchestrationContext<{ n: number; until: number }>) {
    const { n, until } = ctx.getInput();
    if (n >= until) return n;
    const doubled = yield* ctx.callActivity(double, n);
    // A wrong activity result must not be carried on silently for 100,000 generations.
    if (doubled !== n * 2) throw new Error(`Double(${n}) returned ${doubled}`);
    ctx.continueAsNew({ n: n + 1, until });
    return null;
  });

  return { app, counters };
}
