import Database from 'better-sqlite3';
import { createSqliteStore } from './src/store/sqlite/store.ts';
const path = process.argv[2]!; const n = Number(process.argv[3]);
const store = createSqliteStore({ path, synchronous: 'off' });
await store.migrate();
const input = { blob: 'x'.repeat(2000) };
for (let i = 0; i < n; i += 1000) {
  await store.createInstances(Array.from({ length: 1000 }, (_, j) => ({ instanceId: `i${i + j}`, name: 'O', executionId: `e${i+j}`, input, onConflict: 'reject' as const, reuseStatuses: [], now: 1_700_000_000_000 + i + j })));
}
await store.close();
const db = new Database(path);
const size = (db.pragma('page_count', { simple: true }) as number) * 4096;
let t = performance.now(); db.pragma('quick_check', { simple: true }); const qc = performance.now() - t;
console.log(JSON.stringify({ n, mb: Math.round(size / 1e6), quickCheckMs: Math.round(qc) }));
db.close();
