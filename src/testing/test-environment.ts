/**
 * @module testing/test-environment
 * `createTestEnvironment`: a host on an in-memory store with a clock of its
 * own, for unit tests of orchestrations that sleep for days. With time
 * skipping (the default), whenever every instance is blocked on timers, with
 * nothing runnable and no activity running, the clock jumps to the next
 * timer at once: the host's workers sleep on that clock, so the jump is what
 * wakes them. Activities can be mocked for this environment only.
 *
 * What must hold:
 * - The user's app is not changed: the environment runs a copy of it.
 * - Disposing the environment stops the host and closes its store.
 */
import { ValidationError } from '../model/errors.ts';
import type { ActivityContext, ActivityDefinition, FunctionApp } from '../runtime/app.ts';
import { createHost, type Host, type HostOptions } from '../runtime/host.ts';
import type { Logger } from '../runtime/logger.ts';
import { silentLogger } from '../runtime/logger.ts';
import type { DurableClient } from '../client/client.ts';
import { mockableCopy } from './activity-mocks.ts';
import { openMemoryStore } from './memory-store.ts';
import { createTestClock, type TestClock } from './test-clock.ts';
import { TimeSkipper } from './time-skipper.ts';
import { trackStore } from './tracked-store.ts';

export interface TestEnvironmentOptions {
  readonly app: FunctionApp;
  /** Jump the clock to the next due timer whenever nothing else can run (default true). */
  readonly timeSkipping?: boolean;
  /** Where the clock starts (default 2030-01-01T00:00:00Z). */
  readonly startTime?: number;
  /** Default: silent, so that a test's expected failures do not fill its output. */
  readonly logger?: Logger;
  /**
   * Host tuning passed through (`orchestrations`, `activities`, `maxDeliveries`, …). The one default that
   * differs from a host's: `orchestrations.turnBudgetMs` is 0 (orchestrators run without the `node:vm`
   * guard, which costs more than the turn itself in a test); set it to test the budget.
   */
  readonly host?: Omit<HostOptions, 'app' | 'store' | 'clock' | 'logger' | 'workers'>;
}

export interface TestEnvironment extends AsyncDisposable {
  readonly client: DurableClient;
  readonly host: Host;
  readonly clock: TestClock;
  /** Moves time forward by `ms` once the host is idle, stopping at every timer due on the way. */
  sleep(ms: number): Promise<void>;
  /** Runs `fn` instead of the activity, in this environment only. */
  mockActivity<I, O>(activity: ActivityDefinition<I, O>, fn: (input: I, context: ActivityContext) => O | Promise<O>): void;
  mockActivity(name: string, fn: (input: never, context: ActivityContext) => unknown): void;
  /** Runs the real activity again. */
  restoreActivity(activity: ActivityDefinition<never, unknown> | string): void;
}

/**
 * Starts a host for tests: in-memory store, own clock, time skipping.
 *
 * @example
 * import { createTestEnvironment } from 'perdure/testing';
 * await using env = await createTestEnvironment({ app });
 * env.mockActivity(sendReminder, () => 'sent');
 * const { instanceId } = await env.client.startNew('ThirtyDayReminder');
 * const status = await env.client.waitForCompletion(instanceId); // 30 days later, in milliseconds
 */
export async function createTestEnvironment(options: TestEnvironmentOptions): Promise<TestEnvironment> {
  checkOptions(options);
  const clock = createTestClock(options.startTime);
  let host: Host | undefined;
  // The skipper's callbacks read the store, the app copy and the host, which exist before anything can call them.
  const skipper = new TimeSkipper({
    clock,
    nextWakeAt: (now) => raw.nextWakeAt(now),
    autoSkip: options.timeSkipping ?? true,
    busy: () => copy.running() > 0 || tracked.inFlight() > 0,
    wake: () => host?.wake(),
  });
  const poke = () => skipper.poke();
  const copy = mockableCopy(options.app, poke);
  const raw = await openMemoryStore();
  const tracked = trackStore(raw, poke);
  try {
    host = await createHost({
      ...options.host,
      orchestrations: { turnBudgetMs: 0, ...options.host?.orchestrations },
      app: copy.app,
      store: tracked.store,
      clock,
      logger: options.logger ?? silentLogger,
    });
  } catch (error) {
    skipper.stop();
    await raw.close();
    throw error;
  }
  const started = host;
  const unsubscribe = clock.onTimersChanged(poke);
  skipper.poke();
  const dispose = async () => {
    unsubscribe();
    skipper.stop();
    try {
      await started.stop();
    } finally {
      await raw.close();
    }
  };
  return {
    client: started.client,
    host: started,
    clock,
    sleep: (ms) => {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new ValidationError('sleep', `ms must be a finite number of milliseconds, 0 or more (got ${String(ms)})`);
      }
      return skipper.sleep(ms);
    },
    mockActivity: (activity: ActivityDefinition<never, unknown> | string, fn: (input: never, context: ActivityContext) => unknown) =>
      copy.mock(activity as ActivityDefinition<unknown, unknown> | string, fn as (input: unknown, context: ActivityContext) => unknown),
    restoreActivity: (activity) => copy.restore(activity as ActivityDefinition<unknown, unknown> | string),
    [Symbol.asyncDispose]: dispose,
  };
}

function checkOptions(options: TestEnvironmentOptions): void {
  if (!options || typeof options.app?.getOrchestration !== 'function') {
    throw new ValidationError('app', 'createTestEnvironment needs { app }, a FunctionApp');
  }
  if (options.timeSkipping !== undefined && typeof options.timeSkipping !== 'boolean') {
    throw new ValidationError('timeSkipping', `must be true or false (got ${JSON.stringify(options.timeSkipping)})`);
  }
  if (options.startTime !== undefined && !Number.isSafeInteger(options.startTime)) {
    throw new ValidationError('startTime', `must be a time in milliseconds since 1970 (got ${JSON.stringify(options.startTime)})`);
  }
}
