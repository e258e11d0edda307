/**
 * @module test/testing/replay-check.test
 * `replayHistory` / `assertReplays` on histories exported from a real host
 * (client.getHistory, and the HTTP status route's Durable Functions shape):
 * unchanged code replays; changed code fails naming the first differing
 * step, what the history recorded and what the code did.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, Task, type OrchestrationContext } from 'perdure';
import { createHttpApp } from 'perdure/http';
import { assertReplays, createTestEnvironment, replayHistory, silentLogger } from 'perdure/testing';

const MANAGEMENT = '/runtime/webhooks/durabletask';

/** The "deployed" code; `variant` builds the edited versions a user might be about to deploy. */
function buildApp(variant: 'original' | 'reordered' | 'extra-step' | 'renamed-timer' = 'original') {
  const app = createApp();
  app.activity('Greet', (name: string) => `Hello ${name}!`);
  app.activity('Double', (n: number) => n * 2);
  app.activity('Audit', () => 'ok');
  app.orchestration('Greetings', function* (ctx: OrchestrationContext<string[]>) {
    const double = () => Task.all([1, 2, 3].map((n) => ctx.callActivity<number, number>('Double', n)));
    const early = variant === 'reordered' ? yield* double() : undefined;
    const greetings: string[] = [];
    for (const city of ctx.getInput()) greetings.push(yield* ctx.callActivity<string, string>('Greet', city));
    const doubled = early ?? (yield* double());
    yield* ctx.createTimer(ctx.currentUtcDateTime.getTime() + 3_600_000);
    if (variant === 'extra-step') yield* ctx.callActivity('Audit');
    const approval = yield* ctx.waitForExternalEvent<string>(variant === 'renamed-timer' ? 'Other' : 'Approve');
    return { greetings, doubled, approval };
  });
  return app;
}

async function exportHistories() {
  await using env = await createTestEnvironment({ app: buildApp() });
  const { instanceId } = await env.client.startNew('Greetings', { instanceId: 'greetings-1', input: ['Tokyo', 'Lima'] });
  await env.sleep(3_600_000);
  await env.client.raiseEvent(instanceId, 'Approve', 'yes');
  const status = await env.client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
  assert.deepEqual(status.output, { greetings: ['Hello Tokyo!', 'Hello Lima!'], doubled: [2, 4, 6], approval: 'yes' });
  const perdure = await env.client.getHistory(instanceId);
  const http = createHttpApp(env.host, { logger: silentLogger });
  const response = await http.request(`http://localhost${MANAGEMENT}/instances/${instanceId}?showHistory=true&showHistoryOutput=true`);
  assert.equal(response.status, 200);
  const dfStatus = (await response.json()) as { instanceId: string; historyEvents: { EventType: string }[] };
  return { perdure, dfStatus };
}

const exported = exportHistories();

describe('replayHistory and assertReplays', () => {
  it('replay an unchanged orchestration from both export shapes', async () => {
    const { perdure, dfStatus } = await exported;
    assert.ok(
      dfStatus.historyEvents.every((e) => typeof e.EventType === 'string'),
      "the route serves Durable Functions' shape",
    );
    const results = await assertReplays(buildApp(), [perdure, dfStatus]);
    assert.deepEqual(
      results.map((r) => [r.name, r.status, r.divergence]),
      [
        ['Greetings', 'Completed', undefined],
        ['Greetings', 'Completed', undefined],
      ],
    );
  });

  it('names the first differing step of a reordered orchestration', async () => {
    const { perdure, dfStatus } = await exported;
    const own = replayHistory(buildApp('reordered'), perdure, { instanceId: 'greetings-1' });
    assert.equal(own.divergence?.eventIndex, 2);
    assert.equal(own.divergence?.recorded, "TaskScheduled #0 'Greet'");
    assert.equal(own.divergence?.replayed, "has activity 'Double' as #0 there");
    const df = replayHistory(buildApp('reordered'), dfStatus);
    assert.equal(df.divergence?.recorded, "TaskCompleted 'Greet'");
    assert.match(df.divergence?.replayed ?? '', /^has activity 'Double' as #0, activity 'Double' as #1/);
    await assert.rejects(assertReplays(buildApp('reordered'), [perdure]), (error: Error) => {
      assert.equal(error.name, 'NonDeterministicOrchestrationError');
      assert.match(error.message, /1 of 1 histories do not replay/);
      assert.match(error.message, /Orchestration 'Greetings' \(instance 'replay'\) diverges at event #2/);
      return true;
    });
  });

  it('reports a step the code added that the history does not record', async () => {
    const { perdure, dfStatus } = await exported;
    for (const history of [perdure, dfStatus]) {
      const result = replayHistory(buildApp('extra-step'), history);
      assert.match(result.divergence?.replayed ?? '', /activity 'Audit' as #6/, JSON.stringify(result.divergence));
    }
  });

  it('reports an orchestration that no longer reaches its recorded end', async () => {
    const { perdure } = await exported;
    const result = replayHistory(buildApp('renamed-timer'), perdure);
    assert.equal(result.divergence?.recorded, 'the execution Completed');
    assert.equal(result.divergence?.replayed, 'is still waiting');
  });

  it('replays the recorded fixtures from their directory', async () => {
    const { buildFixtureApp } = await import('../fixtures/histories/orchestrations.ts');
    const results = await assertReplays(buildFixtureApp(), new URL('../fixtures/histories/', import.meta.url));
    assert.ok(results.length >= 5);
    assert.ok(results.every((r) => r.status === 'Completed'));
  });

  it('refuses input that is not a history, naming it', () => {
    assert.throws(() => replayHistory(buildApp(), [] as never), { name: 'ValidationError', message: /history/ });
    assert.throws(() => replayHistory(buildApp(), [{ foo: 1 }] as never), { name: 'ValidationError', message: /EventType/ });
    assert.throws(() => replayHistory(createApp(), [{ type: 'ExecutionStarted', name: 'Nope', timestamp: '', executionId: 'x' }]), {
      name: 'ValidationError',
      message: /'Nope' is not registered/,
    });
  });
});
