/**
 * @module bench/lib/monitor-host
 * Entry point of a host process for W9: `monitor-host.ts <store URL>
 * <session cache size> <records file>` runs the monitor app's workers
 * against a shared store. It prints `READY` once its workers run, and
 * answers lines on stdin:
 * - `stats`: one JSON line with cumulative CPU time, RSS (no GC, so the
 *   answer costs next to no CPU) and the number of activity runs so far;
 * - `rss`: one JSON line with RSS after a full GC;
 * - `stop`: stops the host, writes every activity run to the records file
 *   (one `instanceId gen dueAt startedAt` line each, so the parent can find
 *   a run that happened twice across hosts), and prints a final JSON line.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createHost } from '../../src/index.ts';
import { benchLogger } from './fresh-store.ts';
import { rssBytes } from './memory.ts';
import { buildMonitorApp } from './monitor-app.ts';

const [storeUrl, cacheSize, recordsFile] = process.argv.slice(2);
if (!storeUrl || !cacheSize || !recordsFile) {
  console.error('usage: monitor-host.ts <store URL> <session cache size> <records file>');
  process.exit(2);
}

const { app, records } = buildMonitorApp();
const sessionCacheSize = Number(cacheSize);
const host = await createHost({ app, store: storeUrl, logger: benchLogger, orchestrations: { sessionCacheSize } });
console.log('READY');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await host.stop();
  writeFileSync(recordsFile!, records.map((r) => `${r.instanceId} ${r.gen} ${r.dueAt} ${r.startedAt}\n`).join(''));
  console.log(JSON.stringify({ pid: process.pid, activityCalls: records.length }));
  process.exit(0);
}

function stats(): void {
  const cpu = process.cpuUsage();
  const at = performance.now();
  console.log(JSON.stringify({ stats: { cpuUs: cpu.user + cpu.system, at, rss: process.memoryUsage().rss, calls: records.length } }));
}

process.once('SIGTERM', () => void stop());
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'stats') stats();
  else if (command === 'rss') console.log(JSON.stringify({ rss: rssBytes(), sessionCacheSize }));
  else if (command === 'stop') void stop();
});
