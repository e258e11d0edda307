/**
 * @module test/runtime/late-messages.test
 * Regression test: a message that reaches an instance after it finished (an
 * activity result after a timer won the race, or after a terminate) is
 * dropped by a drain turn, and the instance keeps its status, output and
 * completion time. The drain turn used to write an empty result over them.
 * Runs on SQLite and PostgreSQL; the host's store is wrapped to see the drain
 * commit happen, so nothing here depends on timing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, Task, type FunctionApp } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { OrchestrationCommit, Store } from '../../src/store/store.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

interface Fixture extends AsyncDisposable {
  readonly store: Store;
}

const stores: Record<string, () => Promise<Fixture>> = {
  sqlite: async () => {
    const dir = createTempDir('perdure-late-');
    const store = await openStore(`sqlite:${dir.file('perdure.db')}`);
    return { store, [Symbol.asyncDispose]: async () => (await store.close(), dir[Symbol.dispose]()) };
  },
  postgres: async () => {
    const schema = await createTestSchema('late');
    const store = await openStore(schema.url);
    return { store, [Symbol.asyncDispose]: async () => (await store.close(), await schema.drop()) };
  },
};

/** The activity finishes when `release` is called, well after its orchestration has ended. */
function lateApp(): { app: FunctionApp; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const app = createApp();
  const slow = app.activity('Slow', async () => {
    await released;
    return 'late';
  });
  app.orchestration('TimerWins', function* (ctx) {
    const work = ctx.callActivity(slow);
    const timer = ctx.createTimer(ctx.currentUtcDateTime.getTime() + 10);
    const winner = yield* Task.any([work, timer]);
    return winner === timer ? 'timer won' : 'work won';
  });
  app.orchestration('Waits', function* (ctx) {
    return yield* ctx.callActivity(slow);
  });
  return { app, release };
}

/** The store, with every successful commit reported to `onCommit`. */
function watched(store: Store, onCommit: (commit: OrchestrationCommit) => void): Store {
  return {
    ...store,
    commitOrchestrations: async (commits) => {
      const results = await store.commitOrchestrations(commits);
      results.forEach((result, i) => result.ok && onCommit(commits[i]!));
      return results;
    },
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const [kind, open] of Object.entries(stores)) {
  describe(`late messages to a finished instance on ${kind}`, () => {
    for (const scenario of ['completed', 'terminated'] as const) {
      it(`are dropped, and a ${scenario} instance keeps its output and completion time`, async () => {
        await using fixture = await open();
        const { app, release } = lateApp();
        const commits: OrchestrationCommit[] = [];
        const host = await createHost({ app, store: watched(fixture.store, (c) => commits.push(c)), logger: silentLogger });
        try {
          const name = scenario === 'completed' ? 'TimerWins' : 'Waits';
          const { instanceId } = await host.client.startNew(name);
          if (scenario === 'terminated') {
            await until(() => commits.some((c) => c.instanceId === instanceId), 'the first turn');
            await host.client.terminate(instanceId, 'no longer needed');
          }
          const finished = await host.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
          assert.equal(finished.runtimeStatus, scenario === 'completed' ? 'Completed' : 'Terminated');
          const before = await fixture.store.getInstance(instanceId);
          assert.equal(before?.output, scenario === 'completed' ? 'timer won' : 'no longer needed');
          const seen = commits.length;

          release();
          await until(
            () => commits.slice(seen).some((c) => c.instanceId === instanceId && c.consumedMessageIds.length > 0),
            'the late result to be dropped',
          );
          assert.deepEqual(await fixture.store.getInstance(instanceId), before, 'the drain turn changed nothing');
          const history = await fixture.store.getHistory(instanceId);
          assert.ok(!history.some((e) => e.type === 'TaskCompleted'), 'the late result is not recorded');
        } finally {
          release();
          await host.stop();
        }
      });
    }
  });
}
