/**
 * @module test/store/sqlite-race-child
 * Child process for the multi-process race in sqlite.test.ts. Usage:
 * `node --import tsx sqlite-race-child.ts <db-file> <start-at-ms> <worker>`.
 * Waits for the shared start time so the processes really overlap, then
 * opens and migrates the (brand-new) file, fires 50 concurrent
 * createInstances calls for the same 5 IDs, and prints what it created as JSON.
 */
import { createSqliteStore } from '../../src/store/sqlite/store.ts';

const [path, startAtText, worker] = process.argv.slice(2);
if (path === undefined || startAtText === undefined || worker === undefined) {
  throw new Error('usage: sqlite-race-child.ts <db-file> <start-at-ms> <worker>');
}
// Wait first, so that the processes also race to create and migrate the new file.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAtText) - Date.now())));
const store = createSqliteStore({ path });
await store.migrate();
const calls = Array.from({ length: 50 }, (_, i) =>
  store.createInstances([
    {
      instanceId: `race-${i % 5}`,
      name: 'Race',
      executionId: `${worker}-${i}`,
      onConflict: 'reject',
      reuseStatuses: [],
      now: Date.now(),
    },
  ]),
);
const results = (await Promise.all(calls)).flat();
await store.close();
const created = results.filter((result) => result.outcome === 'created').map((result) => result.instance.instanceId);
process.stdout.write(JSON.stringify({ created, total: results.length }));
