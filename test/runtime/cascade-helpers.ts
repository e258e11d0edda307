/**
 * @module test/runtime/cascade-helpers
 * A host on SQLite or PostgreSQL with an app of parents and children for the
 * cascading-cancellation tests, and a wait for a status (bounded, never a
 * wall-clock assertion).
 */
import assert from 'node:assert/strict';
import { createApp, createHost, type Host, type HostOptions, type ManualClock, type OrchestrationContext } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

export type StoreKind = 'sqlite' | 'postgres';

interface ParentInput {
  readonly end: 'complete' | 'fail' | 'continue' | 'wait';
}

export function buildCascadeApp() {
  const app = createApp();
  const leaf = app.orchestration('Leaf', function* (ctx) {
    return yield* ctx.waitForExternalEvent<string>('go');
  });
  // Starts a 'terminate' child and an 'abandon' child, then ends as its input says once told to.
  app.orchestration('Parent', function* (ctx: OrchestrationContext<ParentInput | number>) {
    const input = ctx.getInput();
    if (typeof input === 'number') return yield* ctx.waitForExternalEvent<string>('never');
    ctx.callSubOrchestrator(leaf, undefined, `${ctx.instanceId}-t`);
    ctx.callSubOrchestrator(leaf, undefined, `${ctx.instanceId}-a`, { parentClose: 'abandon' });
    yield* ctx.waitForExternalEvent('end');
    if (input.end === 'fail') throw new Error('parent gave up');
    if (input.end === 'continue') return ctx.continueAsNew(1);
    if (input.end === 'wait') return yield* ctx.waitForExternalEvent<string>('never');
    return 'parent done';
  });
  // Waits on one child and reports how its task ended.
  app.orchestration('Waiter', function* (ctx: OrchestrationContext) {
    try {
      return yield* ctx.callSubOrchestrator(leaf, undefined, `${ctx.instanceId}-kid`);
    } catch (error) {
      return `caught: ${(error as Error).message}`;
    }
  });
  // Starts a child, then spins on 'spin' until the runtime fails it (turn budget).
  app.orchestration('Spinner', function* (ctx: OrchestrationContext) {
    ctx.callSubOrchestrator(leaf, undefined, `${ctx.instanceId}-t`);
    yield* ctx.waitForExternalEvent('spin');
    for (;;) {
      // never yields again
    }
  });
  // Continues as new once, then waits: an execution timeout must span both executions.
  app.orchestration('Looper', function* (ctx: OrchestrationContext<number>) {
    if (ctx.getInput() === 0) return ctx.continueAsNew(1);
    return yield* ctx.waitForExternalEvent<string>('never');
  });
  return app;
}

export async function withCascadeHost(
  kind: StoreKind,
  fn: (host: Host) => Promise<void>,
  clock?: ManualClock,
  extra: Partial<HostOptions> = {},
): Promise<void> {
  using dir = createTempDir('perdure-cascade-');
  await using schema = kind === 'postgres' ? await createTestSchema('cascade') : undefined;
  const store = schema?.url ?? `sqlite:${dir.file('perdure.db')}`;
  const host = await createHost({ app: buildCascadeApp(), store, logger: silentLogger, ...(clock ? { clock } : {}), ...extra });
  try {
    await fn(host);
  } finally {
    await host.stop();
  }
}

export async function statusOf(host: Host, id: string): Promise<string | undefined> {
  return (await host.client.getStatus(id))?.runtimeStatus;
}

export async function untilStatus(host: Host, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await statusOf(host, id)) !== status) {
    if (Date.now() > deadline) assert.fail(`${id} is ${await statusOf(host, id)}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function outputOf(host: Host, id: string): Promise<unknown> {
  return (await host.client.getStatus(id))?.output;
}
