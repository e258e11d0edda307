/**
 * @module test/durable-functions/typescript-sample.test
 * Microsoft's TypeScript quickstart shape (test/fixtures/df-samples/typescript-hello):
 * - it type-checks against Perdure's modules (tsc with `paths` mapping
 *   `durable-functions` and `@azure/functions` to src/), as it does against the real packages;
 * - compiled by tsc against the real packages (installed beside it, as in the
 *   app's own `npm install`), it runs unmodified on `perdure start <dir>`:
 *   its `require`s of the real packages are redirected to Perdure's modules.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { request, waitForCompletion } from '../helpers/http-client.ts';
import { startServer } from '../helpers/server-process.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

const SAMPLE = fileURLToPath(new URL('../fixtures/df-samples/typescript-hello', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function tsc(project: string): void {
  try {
    execFileSync(process.execPath, [TSC, '-p', project], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    assert.fail(`tsc -p ${project} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

describe('a TypeScript Durable Functions app', () => {
  it('type-checks against perdure/durable-functions and perdure/azure-functions', () => {
    tsc(join(SAMPLE, 'tsconfig.perdure.json'));
  });

  it('compiled against the real packages, runs unmodified on perdure start <dir> with the real packages installed', async () => {
    using dir = createTempDir('perdure-df-ts-');
    const app = join(dir.path, 'app');
    cpSync(SAMPLE, app, { recursive: true });
    symlinkSync(NODE_MODULES, join(app, 'node_modules'), 'dir');
    tsc(join(app, 'tsconfig.json'));
    assert.ok(existsSync(join(app, 'dist/src/functions/hello.js')));

    await using server = await startServer({ app, store: `sqlite:${dir.file('app.db')}` });
    const started = await request(`${server.url}/api/orchestrators/typedHelloOrchestrator`, { method: 'POST', body: 'x' });
    assert.equal(started.status, 202, started.text);
    const status = await waitForCompletion(server.url, started.body.id);
    assert.deepEqual(status.output, ['Hello, Tokyo', 'Hello, Seattle', 'Hello, Cairo']);

    const typed = await request(`${server.url}/api/status/${started.body.id}`);
    assert.deepEqual(typed.body, { runtimeStatus: 'Completed', createdIsDate: true, done: true });
    const unknown = await request(`${server.url}/api/status/nope`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message, /Durable Functions extension replied with HTTP 404 response.*nope/);
  });
});
