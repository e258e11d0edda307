// Runs every *.test.ts under test/ and examples/ with Node's test runner (tsx as the loader).
// Node 20's runner does not glob TypeScript files itself, so the list is built here.
// Pass paths or substrings to run a subset: `node scripts/run-tests.mjs sqlite`.
// Files named *.serial.test.ts disturb what other tests share (they restart the
// PostgreSQL server), so they run after all the others, one at a time.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') continue;
    if (statSync(path).isDirectory()) out = out.concat(collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ['test', 'examples']
  .flatMap(collect)
  .sort()
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

/** Runs one batch of files, echoing the runner's output, and returns its exit code and summary counts. */
function run(list, concurrency) {
  if (list.length === 0) return Promise.resolve({ status: 0, passed: 0, failed: 0 });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...list],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let tail = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    tail = (tail + chunk.toString()).slice(-4096);
  });
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const count = (label) => Number(new RegExp(`^ℹ ${label} (\\d+)$`, 'm').exec(tail)?.[1] ?? 0);
      resolve({ status: code ?? 1, passed: count('pass'), failed: count('fail') + count('cancelled') });
    }),
  );
}

const serial = files.filter((f) => f.endsWith('.serial.test.ts'));
const parallel = files.filter((f) => !serial.includes(f));
const first = await run(parallel, process.env.TEST_CONCURRENCY ?? 2);
const second = await run(serial, 1);
// One closing line for both batches, so whoever reads the end of the log sees every test counted.
console.log(`\ntotal: ${first.passed + second.passed} passed, ${first.failed + second.failed} failed`);
process.exit(first.status || second.status);
