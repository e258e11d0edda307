/**
 * @module examples/parent-with-children
 * Sub-orchestrations: the parent starts one child per city, each under its
 * own instance ID derived from the parent's (so each child can be queried
 * on its own, and a replay of the parent finds the same children), then
 * aggregates what they return.
 */
import { app, Task } from 'perdure';
import { sayHello } from './hello-sequence.ts';

export interface ChildResult {
  readonly city: string;
  readonly greeting: string;
}

export const greetCity = app.orchestration('GreetCity', function* (ctx) {
  const city = ctx.getInput<string>();
  const greeting = yield* ctx.callActivity(sayHello, city);
  return { city, greeting } satisfies ChildResult;
});

export const parentWithChildren = app.orchestration('ParentWithChildren', function* (ctx) {
  const cities = ctx.getInput<{ cities?: string[] } | undefined>()?.cities ?? ['Oslo', 'Lima', 'Cairo'];
  const children = cities.map((city, i) => ctx.callSubOrchestrator(greetCity, city, `${ctx.instanceId}-child-${i}`));
  const results = yield* Task.all(children);
  return {
    count: results.length,
    greetings: results.map((r) => r.greeting),
    childInstanceIds: cities.map((_, i) => `${ctx.instanceId}-child-${i}`),
  };
});
