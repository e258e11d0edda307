/**
 * @module test/cli/engine-metrics.test
 * `/metrics` with an engine thread (src/cli/engine-metrics.ts): both
 * registries summed, the store-read gauges taken once, and a busy engine
 * served from its last answer so counters never drop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergedMetrics } from '../../src/cli/engine-metrics.ts';
import { HostMetrics } from '../../src/runtime/metrics.ts';

const counts = (n: number) => async () => ({ Completed: n });

describe('metrics merged with the engine thread', () => {
  it('sums counters, keeps store gauges from this thread, and serves the last answer of a busy engine', async () => {
    const main = new HostMetrics({ instanceCounts: counts(7) });
    const engine = new HostMetrics({ instanceCounts: counts(7) });
    main.orchestrationStarted('Hello');
    engine.orchestrationStarted('Hello');
    engine.activityRan('Say', 'completed', 0.001);
    let busy = false;
    const merged = mergedMetrics(main, async () => {
      if (busy) throw new Error('the engine thread did not answer');
      return engine.registry.getMetricsAsJSON();
    });
    const first = await merged.text();
    assert.match(first, /perdure_orchestrations_started_total\{name="Hello"\} 2\n/);
    assert.match(first, /perdure_activity_executions_total\{name="Say",outcome="completed"\} 1\n/);
    assert.match(first, /perdure_instances\{status="Completed"\} 7\n/, 'read once, not summed over threads');
    busy = true;
    const second = await merged.text();
    assert.match(second, /perdure_activity_executions_total\{name="Say",outcome="completed"\} 1\n/, 'the last answer, not zero');
    assert.equal(merged.contentType, main.contentType);
  });
});
