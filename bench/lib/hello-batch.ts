/**
 * @module bench/lib/hello-batch
 * The W1 measurement, shared by W1, W6 and W7: start `count` HelloSequence
 * instances at once with unique IDs, wait for each, and check every output.
 * Latency is per instance, from just before its start call to the moment
 * its waiter sees it complete.
 */
import type { DurableClient } from '../../src/index.ts';
import { expectedHello } from './bench-app.ts';
import { percentile, round, stopwatch } from './stats.ts';
import type { Checks } from './workload.ts';

export interface HelloBatchFigures {
  readonly instances: number;
  readonly wallS: number;
  readonly orchestrationsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** A warm-up batch (up to 100 instances) first, so the figure does not pay for JIT and cold caches. */
export async function runWarmHelloBatch(
  client: DurableClient,
  options: { prefix: string; count: number; checks: Checks; timeoutMs?: number },
): Promise<HelloBatchFigures> {
  await runHelloBatch(client, { ...options, prefix: `${options.prefix}-warmup`, count: Math.min(options.count, 100) });
  return runHelloBatch(client, options);
}

export async function runHelloBatch(
  client: DurableClient,
  options: { prefix: string; count: number; checks: Checks; timeoutMs?: number },
): Promise<HelloBatchFigures> {
  const { prefix, count, checks } = options;
  const latencies = new Array<number>(count);
  const outputs = new Array<unknown>(count);
  const statuses = new Array<string>(count);
  const wall = stopwatch();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const instanceId = `${prefix}-${i}`;
      const latency = stopwatch();
      await client.startNew('HelloSequence', { instanceId, input: i });
      const status = await client.waitForCompletion(instanceId, { timeoutMs: options.timeoutMs ?? 600_000 });
      latencies[i] = latency();
      outputs[i] = status.output;
      statuses[i] = status.runtimeStatus;
    }),
  );
  const wallMs = wall();
  const wrong = outputs.findIndex(
    (output, i) => statuses[i] !== 'Completed' || JSON.stringify(output) !== JSON.stringify(expectedHello(i)),
  );
  checks.that(
    wrong === -1,
    `${prefix}: ${count} HelloSequence outputs are correct`,
    `${prefix}-${wrong}: ${statuses[wrong]} ${JSON.stringify(outputs[wrong])}`,
  );
  return {
    instances: count,
    wallS: round(wallMs / 1000, 3),
    orchestrationsPerS: round(count / (wallMs / 1000), 1),
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
  };
}
