/**
 * Span trees of whole orchestrations, read back from an in-memory exporter:
 * one trace from the caller's span down to every activity, timer, event and
 * child, each span emitted exactly once, parented as the Durable Task SDKs do.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createApp, createHost, RetryPolicy, silentLogger, Task, type Host } from '../../src/index.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { childrenOf, idOf, only, parentOf, registerInMemoryTracing, traceSpans, until } from './tracing-setup.ts';
import { renderWaterfall } from './waterfall.ts';

const exporter = registerInMemoryTracing();

const app = createApp();
const sayHello = app.activity('SayHello', (city: string) => `Hello ${city}!`);
let flakyCalls = 0;
const flaky = app.activity('Flaky', () => {
  flakyCalls += 1;
  if (flakyCalls < 3) throw new Error(`flaky failure ${flakyCalls}`);
  return 'finally';
});
const helloSequence = app.orchestration('HelloSequence', function* (ctx) {
  const outputs: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) outputs.push(yield* ctx.callActivity(sayHello, city));
  return outputs;
});
app.orchestration('FanOut', function* (ctx) {
  return yield* Task.all(['a', 'b', 'c'].map((city) => ctx.callActivity(sayHello, city)));
});
app.orchestration('Parent', function* (ctx) {
  const child = yield* ctx.callSubOrchestrator(helloSequence, undefined, `${ctx.instanceId}-child`);
  return child.length;
});
app.orchestration('Retrying', function* (ctx) {
  return yield* ctx.callActivityWithRetry(flaky, new RetryPolicy({ firstRetryIntervalMs: 20, maxNumberOfAttempts: 3 }));
});
app.orchestration('Sleeper', function* (ctx) {
  yield* ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 50));
  const approval = yield* ctx.waitForExternalEvent<string>('Approval');
  ctx.sendEvent(`${ctx.instanceId}-peer`, 'Notified', approval);
  return approval;
});

app.orchestration('Waiter', function* (ctx) {
  return yield* ctx.waitForExternalEvent('Never');
});

const tracer = trace.getTracer('test');
const dir = createTempDir('perdure-spans-');
let host: Host;

/** Starts the orchestration inside a caller span (as an HTTP handler would be), waits for it, and returns its trace. */
async function run(
  name: string,
  instanceId: string,
  during?: (host: Host) => Promise<void>,
): Promise<{ spans: ReadableSpan[]; root: ReadableSpan }> {
  const traceId = await tracer.startActiveSpan('caller', async (span) => {
    await host.client.startNew(name, { instanceId });
    span.end();
    return span.spanContext().traceId;
  });
  await during?.(host);
  const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
  assert.equal(status.runtimeStatus, 'Completed');
  await until(() => traceSpans(exporter, traceId).some((s) => s.name === `orchestration:${name}`), `orchestration:${name}`);
  const spans = traceSpans(exporter, traceId);
  return { spans, root: only(spans, 'caller') };
}

/** The create span under the caller, and the orchestration span under it: the spine of every trace. */
function spine(spans: ReadableSpan[], root: ReadableSpan, name: string): ReadableSpan {
  const create = only(spans, `create_orchestration:${name}`);
  assert.equal(parentOf(create), idOf(root));
  assert.equal(create.kind, SpanKind.PRODUCER);
  const orchestration = only(spans, `orchestration:${name}`);
  assert.equal(parentOf(orchestration), idOf(create));
  assert.equal(orchestration.kind, SpanKind.SERVER);
  assert.equal(orchestration.attributes['durabletask.type'], 'orchestration');
  assert.equal(orchestration.attributes['durabletask.task.name'], name);
  assert.equal(orchestration.attributes['durabletask.task.status'], 'Completed');
  assert.equal(typeof orchestration.attributes['durabletask.task.execution_id'], 'string');
  assert.equal(orchestration.instrumentationScope.name, 'Microsoft.DurableTask');
  for (const span of spans)
    assert.ok(span === root || spans.some((s) => idOf(s) === parentOf(span)), `${span.name} has its parent in the trace`);
  return orchestration;
}

describe('OpenTelemetry spans', () => {
  before(async () => {
    host = await createHost({ app, store: `sqlite:${dir.file('perdure.db')}`, logger: silentLogger });
  });
  after(async () => {
    await host.stop();
    dir[Symbol.dispose]();
  });

  it('hello-sequence: caller → create_orchestration → orchestration → three activities, in order', async () => {
    const { spans, root } = await run('HelloSequence', 'hello-1');
    const orchestration = spine(spans, root, 'HelloSequence');
    assert.equal(orchestration.attributes['durabletask.task.instance_id'], 'hello-1');
    const activities = childrenOf(spans, orchestration);
    assert.deepEqual(
      activities.map((s) => [s.name, s.attributes['durabletask.task.task_id'], s.attributes['perdure.activity.attempt']]),
      [
        ['activity:SayHello', 0, 1],
        ['activity:SayHello', 1, 1],
        ['activity:SayHello', 2, 1],
      ],
    );
    assert.equal(spans.length, 6, 'no duplicate spans');
  });

  it('fan-out: the three parallel activities hang under the orchestration', async () => {
    const { spans, root } = await run('FanOut', 'fan-1');
    const orchestration = spine(spans, root, 'FanOut');
    assert.deepEqual(
      childrenOf(spans, orchestration).map((s) => s.name),
      ['activity:SayHello', 'activity:SayHello', 'activity:SayHello'],
    );
  });

  it("sub-orchestrations: the child's orchestration span is a child of the parent's", async () => {
    const { spans, root } = await run('Parent', 'parent-1');
    const parent = spine(spans, root, 'Parent');
    const child = only(spans, 'orchestration:HelloSequence');
    assert.equal(parentOf(child), idOf(parent));
    assert.equal(child.attributes['durabletask.task.instance_id'], 'parent-1-child');
    assert.equal(childrenOf(spans, child).length, 3, "the child's activities are under the child");
    const svg = renderWaterfall(spans);
    for (const span of spans) assert.ok(svg.includes(span.name), `the waterfall shows ${span.name}`);
    if (process.env['PERDURE_UPDATE_DOCS'] === '1') writeFileSync('docs/images/trace-waterfall.svg', svg);
    assert.ok(child.startTime[0] * 1e3 >= parent.startTime[0] * 1e3 - 1000);
  });

  it('retries: one activity span per attempt, the failed ones with their error, and the waits as timers', async () => {
    const { spans, root } = await run('Retrying', 'retry-1');
    const orchestration = spine(spans, root, 'Retrying');
    const attempts = childrenOf(spans, orchestration).filter((s) => s.name === 'activity:Flaky');
    assert.deepEqual(
      attempts.map((s) => [s.status.code, s.status.message]),
      [
        [SpanStatusCode.ERROR, 'flaky failure 1'],
        [SpanStatusCode.ERROR, 'flaky failure 2'],
        [SpanStatusCode.UNSET, undefined],
      ],
    );
    assert.equal(attempts[0]!.events[0]?.name, 'exception');
    assert.equal(childrenOf(spans, orchestration).filter((s) => s.name === 'orchestration:Retrying:timer').length, 2);
  });

  it('timers and events: a timer span from creation to firing, a span per event received and sent', async () => {
    const { spans, root } = await run('Sleeper', 'sleeper-1', async (h) => {
      await until(() => exporter.getFinishedSpans().some((s) => s.name === 'orchestration:Sleeper:timer'), 'the timer span');
      await h.client.raiseEvent('sleeper-1', 'Approval', 'yes');
    });
    const orchestration = spine(spans, root, 'Sleeper');
    const timer = only(spans, 'orchestration:Sleeper:timer');
    assert.equal(parentOf(timer), idOf(orchestration));
    assert.equal(typeof timer.attributes['durabletask.fire_at'], 'string');
    const endMs = timer.endTime[0] * 1e3 + timer.endTime[1] / 1e6;
    assert.ok(endMs >= Date.parse(String(timer.attributes['durabletask.fire_at'])), 'the timer span lasts until the timer fired');
    const events = spans.filter((s) => s.name.startsWith('orchestration_event:'));
    assert.deepEqual(
      events.map((s) => [s.name, s.kind, parentOf(s) === idOf(orchestration)]),
      [
        ['orchestration_event:Approval', SpanKind.CONSUMER, true],
        ['orchestration_event:Notified', SpanKind.PRODUCER, true],
      ],
    );
    assert.equal(events[1]!.attributes['durabletask.event.target_instance_id'], 'sleeper-1-peer');
  });

  it('a terminated instance (a turn that runs no code) still ends its orchestration span, once', async () => {
    const traceId = await tracer.startActiveSpan('caller', async (span) => {
      await host.client.startNew('Waiter', { instanceId: 'waiter-1' });
      span.end();
      return span.spanContext().traceId;
    });
    await host.client.waitForCompletion('waiter-1', { timeoutMs: 200 }).catch(() => undefined);
    await host.client.terminate('waiter-1', 'enough');
    await until(() => traceSpans(exporter, traceId).some((s) => s.name === 'orchestration:Waiter'), 'orchestration:Waiter');
    const spans = traceSpans(exporter, traceId);
    const orchestration = only(spans, 'orchestration:Waiter');
    assert.equal(orchestration.attributes['durabletask.task.status'], 'Terminated');
    assert.equal(parentOf(orchestration), idOf(only(spans, 'create_orchestration:Waiter')));
  });

  it('a W3C traceparent given to startNew (an HTTP start) is the parent of the start', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await host.client.startNew('HelloSequence', { instanceId: 'w3c-1', traceparent });
    await host.client.waitForCompletion('w3c-1', { timeoutMs: 20_000 });
    await until(() => traceSpans(exporter, '4bf92f3577b34da6a3ce929d0e0e4736').length === 5, 'the w3c trace');
    assert.equal(
      parentOf(only(traceSpans(exporter, '4bf92f3577b34da6a3ce929d0e0e4736'), 'create_orchestration:HelloSequence')),
      '00f067aa0ba902b7',
    );
  });
});
