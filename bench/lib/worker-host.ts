/**
 * @module bench/lib/worker-host
 * Entry point of a host process for W7: `worker-host.ts <store URL>` runs
 * the bench app's workers against a shared store until it is told to stop
 * (a `stop` line on stdin, or SIGTERM). It prints `READY` once its workers
 * run, and on stop one JSON line with how much work it did, so the parent
 * can check that the load really was shared.
 */
import { createInterface } from 'node:readline';
import { createHost } from '../../src/index.ts';
import { buildBenchApp } from './bench-app.ts';
import { benchLogger } from './fresh-store.ts';

const storeUrl = process.argv[2];
if (!storeUrl) {
  console.error('usage: worker-host.ts <store URL>');
  process.exit(2);
}

const { app, counters } = buildBenchApp();
const host = await createHost({ app, store: storeUrl, logger: benchLogger });
console.log('READY');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await host.stop();
  console.log(JSON.stringify({ pid: process.pid, activityCalls: counters.activityCalls }));
  process.exit(0);
}

process.once('SIGTERM', () => void stop());
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stop') void stop();
});
