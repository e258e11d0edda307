/**
 * With an OpenTelemetry meter provider registered, the host's figures are
 * also OpenTelemetry metrics: counters read from the same totals as
 * /metrics, histograms recorded as they happen, the gauges read on collection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { createApp, createHost, silentLogger } from '../../src/index.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

class TestReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const app = createApp();
const sayHello = app.activity('SayHello', (city: string) => `Hello ${city}!`);
app.orchestration('HelloSequence', function* (ctx) {
  for (const city of ['Tokyo', 'Seattle']) yield* ctx.callActivity(sayHello, city);
});

describe('OpenTelemetry metrics', () => {
  it('mirror the Prometheus figures when a meter provider is registered before the host starts', async () => {
    const reader = new TestReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    using dir = createTempDir('perdure-otel-metrics-');
    await using host = await createHost({ app, store: `sqlite:${dir.file('perdure.db')}`, logger: silentLogger });
    for (const id of ['a', 'b']) await host.client.startNew('HelloSequence', { instanceId: id });
    for (const id of ['a', 'b']) await host.client.waitForCompletion(id, { timeoutMs: 20_000 });

    const { resourceMetrics } = await reader.collect();
    const all: MetricData[] = resourceMetrics.scopeMetrics.filter((s) => s.scope.name === 'perdure').flatMap((s) => s.metrics);
    const points = (name: string) => all.find((m) => m.descriptor.name === name)?.dataPoints ?? [];
    const sum = (name: string, attributes: Record<string, string>) =>
      points(name)
        .filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
        .reduce((total, p) => total + (typeof p.value === 'number' ? p.value : (p.value as { count: number }).count), 0);
    assert.equal(sum('perdure.orchestrations.started', { name: 'HelloSequence' }), 2);
    assert.equal(sum('perdure.orchestrations.completed', { name: 'HelloSequence', status: 'Completed' }), 2);
    assert.equal(sum('perdure.activity.executions', { name: 'SayHello', outcome: 'completed' }), 4);
    assert.equal(sum('perdure.activity.duration', { name: 'SayHello' }), 4, 'a histogram point per run');
    assert.equal(sum('perdure.orchestration.duration', { name: 'HelloSequence' }), 2);
    assert.deepEqual(
      points('perdure.backlog')
        .map((p) => [p.attributes['queue'], p.value])
        .sort(),
      [
        ['activities', 0],
        ['orchestrations', 0],
        ['timers', 0],
      ],
    );
  });
});
