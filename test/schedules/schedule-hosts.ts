/**
 * @module test/schedules/schedule-hosts
 * The app and the store URLs the schedule tests run on: a SQLite file and a
 * fresh PostgreSQL schema, each reopened by URL so a test can restart hosts.
 */
import { createApp, createHost, createManualClock, SCHEDULE_CANCEL_EVENT, Task, type Host, type Logger } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

/** Job runs until it gets `finish` (or a cancel request from cancelOther), so a test decides when a run ends. */
export function scheduleApp() {
  const app = createApp();
  app.orchestration('Job', function* (ctx) {
    yield* Task.any([ctx.waitForExternalEvent('finish'), ctx.waitForExternalEvent(SCHEDULE_CANCEL_EVENT)]);
    return ctx.getInput();
  });
  // eslint-disable-next-line require-yield -- a run that needs no task: it returns its input at once
  app.orchestration('Quick', function* (ctx) {
    return ctx.getInput();
  });
  return app;
}

export interface StoreUrl extends AsyncDisposable {
  readonly url: string;
}

export const STORES: readonly { readonly name: string; readonly open: () => Promise<StoreUrl> }[] = [
  {
    name: 'SQLite file',
    open: async () => {
      const dir = createTempDir('perdure-schedules-');
      return { url: `sqlite:${dir.file('perdure.db')}`, [Symbol.asyncDispose]: async () => dir[Symbol.dispose]() };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const schema = await createTestSchema('sched');
      return { url: schema.url, [Symbol.asyncDispose]: () => schema.drop() };
    },
  },
];

export const T_START = Date.UTC(2030, 0, 1);

export async function openHost(url: string, clock = createManualClock(T_START), logger: Logger = silentLogger): Promise<Host> {
  return createHost({ app: scheduleApp(), store: url, clock, logger });
}

/** A logger that keeps warnings, to check the catch-up log line. */
export function recordingLogger(): Logger & { readonly warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (message: string) => void warnings.push(message), warnings };
}
