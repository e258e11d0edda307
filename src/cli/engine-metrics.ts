/**
 * @module cli/engine-metrics
 * `/metrics` of a host whose workers run in an engine thread (decision
 * 0038): prom-client registries live per thread, so a scrape asks the
 * engine for its registry as JSON and sums it with this thread's, as
 * prom-client's cluster aggregation does for processes.
 *
 * What must hold:
 * - Counters and histograms are the sum of both threads' (starts are counted
 *   where the client runs, turns and activities where the workers run).
 * - Gauges read from the store (instances by status, backlog) come from
 *   this thread alone: both threads read the same store.
 * - A scrape never hangs on a busy engine (a spinning turn, a blocking
 *   activity): after a short wait it serves the engine's last answer, so
 *   counters never appear to go back to zero.
 */
import { AggregatorRegistry } from 'prom-client';
import type { MetricsSource } from '../http/metrics-route.ts';
import type { HostMetrics } from '../runtime/metrics.ts';
import type { MetricsJson } from './engine-protocol.ts';

const STORE_GAUGES = new Set(['perdure_instances', 'perdure_backlog']);
const ENGINE_ANSWER_MS = 2_000;

export function mergedMetrics(own: HostMetrics, engine: (timeoutMs: number) => Promise<MetricsJson>): MetricsSource {
  let last: MetricsJson = [];
  return {
    contentType: own.contentType,
    async text() {
      const [mine, theirs] = await Promise.all([
        own.registry.getMetricsAsJSON(),
        engine(ENGINE_ANSWER_MS).then(
          (json) => (last = json.filter((metric) => !STORE_GAUGES.has(metric.name))),
          () => last,
        ),
      ]);
      return AggregatorRegistry.aggregate([mine, theirs]).metrics();
    },
  };
}
