/**
 * Entity operations in traces, on every store: a client's signal, and an
 * orchestration's calls and signals, each carry the caller's span to the
 * entity, whose operation span (`entity:{name}:{op}`) is its child; each
 * operation is counted once, by outcome, when its batch is committed.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createHost, silentLogger, type Host } from '../../src/index.ts';
import { buildEntityApp } from '../entities/entity-app.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { idOf, only, parentOf, registerInMemoryTracing, traceSpans, until } from './tracing-setup.ts';

const exporter = registerInMemoryTracing();
const tracer = trace.getTracer('test');

const dir = createTempDir('perdure-entity-spans-');
after(() => dir[Symbol.dispose]());

const stores: Record<string, () => Promise<{ url: string; drop: () => Promise<void> }>> = {
  sqlite: async () => ({ url: `sqlite:${dir.file(`entity-spans-${Math.random().toString(36).slice(2)}.db`)}`, drop: async () => {} }),
  postgres: async () => {
    const schema = await createTestSchema('es');
    return { url: schema.url, drop: () => schema.drop() };
  },
};

/** Runs `fn` inside a caller span and returns that span's trace ID. */
async function inCallerSpan(fn: () => Promise<unknown>): Promise<string> {
  return tracer.startActiveSpan('caller', async (span) => {
    await fn();
    span.end();
    return span.spanContext().traceId;
  });
}

const entitySpans = (spans: readonly ReadableSpan[], kind: SpanKind) =>
  spans.filter((s) => s.name.startsWith('entity:') && s.kind === kind);

for (const [storeName, makeStore] of Object.entries(stores)) {
  describe(`entity spans on ${storeName}`, () => {
    let host: Host;
    let drop: () => Promise<void>;

    it('a client signal: caller → entity:counter:add (producer) → entity:counter:add (server), counted once', async () => {
      const store = await makeStore();
      drop = store.drop;
      host = await createHost({ app: buildEntityApp(), store: store.url, logger: silentLogger });
      const traceId = await inCallerSpan(() => host.client.signalEntity({ name: 'counter', key: 'traced' }, 'add', 5));
      await until(() => entitySpans(traceSpans(exporter, traceId), SpanKind.SERVER).length === 1, 'the operation span');
      const spans = traceSpans(exporter, traceId);
      const caller = only(spans, 'caller');
      const [sent] = entitySpans(spans, SpanKind.PRODUCER);
      const [ran] = entitySpans(spans, SpanKind.SERVER);
      assert.equal(sent?.name, 'entity:counter:add');
      assert.equal(parentOf(sent), idOf(caller));
      assert.equal(sent.attributes['durabletask.type'], 'signal_entity');
      assert.equal(ran?.name, 'entity:counter:add');
      assert.equal(parentOf(ran), idOf(sent), 'the operation span is a child of the signal span');
      assert.equal(ran.attributes['durabletask.type'], 'entity');
      assert.equal(ran.attributes['durabletask.task.instance_id'], '@counter@traced');
      assert.equal(ran.attributes['perdure.entity.operation'], 'add');
      assert.equal(ran.attributes['perdure.entity.operation_kind'], 'signal');
      assert.equal(ran.instrumentationScope.name, 'Microsoft.DurableTask');
      const text = await host.metrics.text();
      assert.match(text, /perdure_entity_operations_total\{name="counter",outcome="completed"\} 1\n/);
      assert.match(text, /perdure_entity_operation_duration_seconds_count\{name="counter"\} 1\n/);
    });

    it("an orchestration's calls and signals: each operation span is a child of the orchestration span, failures marked", async () => {
      const traceId = await inCallerSpan(() => host.client.startNew('CallCounter', { instanceId: `call-${storeName}`, input: 'c' }));
      const status = await host.client.waitForCompletion(`call-${storeName}`, { timeoutMs: 20_000 });
      assert.equal(status.runtimeStatus, 'Completed');
      // add, get, addThenFail, get (calls), then add (signal): five operations.
      await until(() => entitySpans(traceSpans(exporter, traceId), SpanKind.SERVER).length === 5, 'five operation spans');
      await until(() => traceSpans(exporter, traceId).some((s) => s.name === 'orchestration:CallCounter'), 'the orchestration span');
      const spans = traceSpans(exporter, traceId);
      const orchestration = only(spans, 'orchestration:CallCounter');
      const ran = entitySpans(spans, SpanKind.SERVER);
      assert.deepEqual(ran.map((s) => `${s.name} ${String(s.attributes['perdure.entity.operation_kind'])}`).sort(), [
        'entity:counter:add call',
        'entity:counter:add signal',
        'entity:counter:addThenFail call',
        'entity:counter:get call',
        'entity:counter:get call',
      ]);
      for (const span of ran) assert.equal(parentOf(span), idOf(orchestration), `${span.name} hangs under the orchestration`);
      const failed = only(ran, 'entity:counter:addThenFail');
      assert.equal(failed.status.code, SpanStatusCode.ERROR);
      assert.equal(failed.attributes['error.type'], 'Error');
      const sent = entitySpans(spans, SpanKind.PRODUCER);
      assert.equal(sent.length, 5, 'a producer span per request sent');
      for (const span of sent) assert.equal(parentOf(span), idOf(orchestration));
      assert.deepEqual(sent.map((s) => s.attributes['durabletask.type']).sort(), [
        'call_entity',
        'call_entity',
        'call_entity',
        'call_entity',
        'signal_entity',
      ]);
      assert.equal(
        spans.filter((s) => s.name.startsWith('orchestration_event:op')).length,
        0,
        'entity requests are not generic event spans',
      );
      const text = await host.metrics.text();
      assert.match(text, /perdure_entity_operations_total\{name="counter",outcome="completed"\} 5\n/);
      assert.match(text, /perdure_entity_operations_total\{name="counter",outcome="failed"\} 1\n/);
      await host.stop();
      await drop();
    });
  });
}
