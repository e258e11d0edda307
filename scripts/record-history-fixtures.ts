/**
 * Records the histories of the fixture orchestrations (test/fixtures/histories)
 * by running them on a real SQLite store. Run it to add a fixture for a new
 * orchestration; existing fixture files are kept as they are, so recorded
 * histories from older engines stay what they were.
 *   npx tsx scripts/record-history-fixtures.ts
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHost } from '../src/index.ts';
import { silentLogger } from '../src/runtime/logger.ts';
import { buildFixtureApp } from '../test/fixtures/histories/orchestrations.ts';

const runs: { name: string; input?: unknown; event?: [string, unknown] }[] = [
  { name: 'FixtureSequence' },
  { name: 'FixtureFanOut', input: 5 },
  { name: 'FixtureRetry' },
  { name: 'FixtureEventRace', event: ['Go', 'now'] },
  { name: 'FixtureParent' },
];

const dir = new URL('../test/fixtures/histories/', import.meta.url).pathname;
const host = await createHost({
  app: buildFixtureApp(),
  store: `sqlite:${join(mkdtempSync(join(tmpdir(), 'perdure-fixtures-')), 'f.db')}`,
  logger: silentLogger,
  orchestrations: { inlineActivityWindowMs: 0 },
});
for (const run of runs) {
  const file = join(dir, `${run.name}.json`);
  if (existsSync(file)) continue;
  const { instanceId } = await host.client.startNew(run.name, { instanceId: `fixture-${run.name}`, input: run.input });
  if (run.event) await host.client.raiseEvent(instanceId, ...run.event);
  const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
  const history = (await host.client.getStatus(instanceId, { showHistory: true, showHistoryOutput: true }))!.historyEvents;
  writeFileSync(file, `${JSON.stringify({ name: run.name, instanceId, output: status.output, history }, null, 1)}\n`);
  console.log(`recorded ${run.name} (${history?.length} events)`);
}
await host.stop();
