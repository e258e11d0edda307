/**
 * @module test/dashboard/fixtures
 * A real host (SQLite file, workers running) served over real HTTP on
 * loopback, with a small app whose instances exercise every part of the
 * dashboard: activities, a retried activity, a timer, a child, an event.
 */
import { createApp, createHost, RetryPolicy, type FunctionApp, type Host } from '../../src/index.ts';
import { createFetchHandler, type HttpAppOptions } from '../../src/http/create-http-app.ts';
import { serveHttp, type HttpServer } from '../../src/http/serve.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

export function buildDashboardApp() {
  const app = createApp();
  const failures = new Map<string, number>();
  const greet = app.activity('Greet', (name: string) => `Hello ${name}`);
  const flaky = app.activity('Flaky', (key: string) => {
    const seen = failures.get(key) ?? 0;
    failures.set(key, seen + 1);
    if (seen === 0) throw new Error(`Flaky failed once for ${key}`);
    return 'steady';
  });
  const child = app.orchestration('Child', function* (ctx) {
    return yield* ctx.callActivity(greet, `child of ${ctx.getInput<string>()}`);
  });
  app.orchestration('Greeting', function* (ctx) {
    const a = yield* ctx.callActivity(greet, 'Ada');
    const b = yield* ctx.callActivity(greet, 'Grace');
    const steady = yield* ctx.callActivityWithRetry(
      flaky,
      new RetryPolicy({ firstRetryIntervalMs: 50, maxNumberOfAttempts: 3 }),
      ctx.instanceId,
    );
    yield* ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 20));
    const fromChild = yield* ctx.callSubOrchestrator(child, ctx.instanceId);
    const approval = yield* ctx.waitForExternalEvent<{ approved?: boolean }>('Approval');
    return { greetings: [a, b, fromChild], steady, approved: approval?.approved === true };
  });
  app.orchestration('Waiter', function* (ctx) {
    return yield* ctx.waitForExternalEvent<unknown>('Go');
  });
  return app;
}

export interface DashboardServer extends AsyncDisposable {
  readonly host: Host;
  readonly url: string;
}

export async function startDashboardServer(options: HttpAppOptions = {}, app: FunctionApp = buildDashboardApp()): Promise<DashboardServer> {
  const dir = createTempDir('perdure-dashboard-');
  const host = await createHost({ app, store: `sqlite:${dir.file('perdure.db')}`, logger: silentLogger });
  let server: HttpServer;
  try {
    server = await serveHttp({ fetch: createFetchHandler(host, options), port: 0, ...(options.keys ? { keys: options.keys } : {}) });
  } catch (error) {
    await host.stop();
    throw error;
  }
  return {
    host,
    url: server.url,
    async [Symbol.asyncDispose]() {
      await server.close(1000);
      await host.stop();
      dir[Symbol.dispose]();
    },
  };
}
