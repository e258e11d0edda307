/**
 * @module chaos/probes/runaway
 * An orchestrator that never yields (`for (;;) {}`) on a real host. Must
 * hold: the host keeps answering, the spinning instance can be terminated,
 * one left alone fails after bounded tries, and SIGTERM ends the process.
 * Reported as a target: the health check's p99 latency while it spins
 * (`healthP99MsDuringSpin`, goal < 100 ms), which holds because `perdure
 * start` runs orchestrator code in its engine thread (decision 0038).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MANAGEMENT, request, waitForStatus } from '../../test/helpers/http-client.ts';
import { startServer } from '../../test/helpers/server-process.ts';
import { createTempDir } from '../../test/helpers/temp-dir.ts';
import type { Probe } from '../probe.ts';

const APP = fileURLToPath(new URL('../../test/runtime/fixtures/poison-app.ts', import.meta.url));
const HEALTH_SAMPLES = 200;
const SAMPLE_GAP_MS = 15;

export const runaway: Probe = {
  name: 'runaway',
  summary: 'a spinning orchestrator: health latency while it spins, terminate, bounded failure, SIGTERM',
  async run() {
    using dir = createTempDir('perdure-chaos-spin-');
    const config = dir.file('perdure.config.mjs');
    writeFileSync(config, 'export default { maxDeliveries: 20, orchestrations: { leaseMs: 300 } };\n');
    const server = await startServer({ store: `sqlite:${dir.file('perdure.db')}`, app: APP, args: ['--config', config] });
    const start = (id: string) => request(`${server.url}${MANAGEMENT}/orchestrators/Spins/${id}`, { method: 'POST', json: null });
    // The same samples on the idle host first: on a loaded machine they say how much of the figure is the machine's.
    const idle = await sampleHealth(server.url, HEALTH_SAMPLES);
    await start('chaos-spin-terminated');
    await sampleHealth(server.url, 2);
    const terminate = await request(`${server.url}${MANAGEMENT}/instances/chaos-spin-terminated/terminate?reason=spins`, {
      method: 'POST',
    });
    const terminated = await waitForStatus(server.url, 'chaos-spin-terminated', undefined, { timeoutMs: 60_000 }).catch(() => undefined);
    await start('chaos-spin-failed');
    const { latencies, healthFailures } = await sampleHealth(server.url, HEALTH_SAMPLES);
    const spunThroughout = (await request(`${server.url}${MANAGEMENT}/instances/chaos-spin-failed`)).body?.runtimeStatus === 'Pending';
    const failed = await waitForStatus(server.url, 'chaos-spin-failed', undefined, { timeoutMs: 120_000 }).catch(() => undefined);
    await start('chaos-spin-at-shutdown');
    const exit = await Promise.race([server.stop('SIGTERM'), new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000).unref())]);
    if (exit === 'hung') await server.stop('SIGKILL');
    const p = (q: number, samples = latencies) => {
      const sorted = [...samples].sort((a, b) => a - b);
      return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
    };
    return {
      probe: 'runaway',
      figures: {
        terminateAnswer: terminate.status,
        terminatedAs: terminated?.runtimeStatus,
        healthSamples: HEALTH_SAMPLES,
        healthP50Ms: p(0.5),
        healthP99MsDuringSpin: p(0.99),
        healthP99MsIdle: p(0.99, idle.latencies),
        healthMaxMs: p(1),
        healthFailures,
      },
      checks: {
        'health answered throughout': healthFailures === 0,
        'the samples were taken while it still spun': spunThroughout,
        'the spinning instance was terminated': terminated?.runtimeStatus === 'Terminated',
        'a spinner left alone failed after bounded tries': failed?.runtimeStatus === 'Failed',
        'SIGTERM ended the host': exit !== 'hung',
      },
      targets: { 'health p99 < 100 ms during the spin': p(0.99) < 100 },
    };
  },
};

/**
 * Health checks one after another while a spinner runs; their latencies in
 * ms. A pause between them spreads the samples over several turn budgets,
 * so they cover the spins and not just the gaps between deliveries.
 */
async function sampleHealth(url: string, samples: number) {
  const latencies: number[] = [];
  let healthFailures = 0;
  for (let i = 0; i < samples; i++) {
    const began = performance.now();
    const health = await request(`${url}/api/health`).catch(() => undefined);
    latencies.push(performance.now() - began);
    if (health?.status !== 200) healthFailures++;
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_GAP_MS));
  }
  return { latencies, healthFailures };
}
