/**
 * @module test/dashboard/pages-fixtures
 * The app behind the entities and schedules pages' tests: the dashboard's
 * app plus a counter entity, a document entity whose state can be made
 * long, an orchestration that holds a counter's lock until told to let go,
 * and a short orchestration for schedules to start.
 */
import type { EntityContext, FunctionApp } from '../../src/index.ts';
import { buildDashboardApp } from './fixtures.ts';

export function buildPagesApp(): FunctionApp {
  const app = buildDashboardApp();
  const counter = app.entity('Counter', {
    add: (amount: number, ctx: EntityContext<{ total: number }>) =>
      ctx.setState({ total: (ctx.getState(() => ({ total: 0 }))?.total ?? 0) + amount }),
    reset: (_: undefined, ctx: EntityContext<{ total: number }>) => ctx.deleteState(),
  });
  app.entity('Doc', {
    set: (text: string, ctx: EntityContext<{ text: string }>) => ctx.setState({ text }),
  });
  app.orchestration('HoldsLock', function* (ctx) {
    const lock = yield* ctx.lockEntities([counter.id(ctx.getInput<string>())]);
    try {
      yield* ctx.waitForExternalEvent<unknown>('Release');
    } finally {
      lock.release();
    }
    return 'released';
  });
  app.orchestration('Tick', function* (ctx) {
    yield* [];
    return ctx.getInput() ?? 'tick';
  });
  return app;
}
