/**
 * @module test/package/packed-tarball.serial.test
 * What a user installs: `npm pack` (which builds), the tarball installed
 * into a fresh project with no tsx and no pg, then used as users use it:
 * from plain ESM, from CommonJS, from a TypeScript app compiled by tsc
 * (strict, NodeNext), and as the `perdure` command. publint and
 * arethetypeswrong check the tarball's metadata and types.
 *
 * Serial: installing the tarball builds better-sqlite3 from source, which
 * takes both cores for about a minute.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTempDir } from '../helpers/temp-dir.ts';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/package', import.meta.url));
const DF_SAMPLE = fileURLToPath(new URL('../fixtures/df-samples/hello-sequence', import.meta.url));
const resolveTool = createRequire(import.meta.url);
const TSC = resolveTool.resolve('typescript/bin/tsc');
const NPM = 'npm';
const LONG = 5 * 60_000;

const work = createTempDir('perdure-pack-');
const project = work.file('user');
let tarball = '';

/** Runs a command; resolves with its output whatever the exit code. */
async function run(command: string, args: readonly string[], cwd: string, timeout = LONG) {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function succeeds(command: string, args: readonly string[], cwd: string) {
  const result = await run(command, args, cwd);
  assert.equal(result.code, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

before(async () => {
  await succeeds(NPM, ['pack', '--silent', '--pack-destination', work.path], ROOT);
  tarball = join(
    work.path,
    readdirSync(work.path).find((name) => name.endsWith('.tgz'))!,
  );
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-app', private: true, type: 'module' }));
  for (const name of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, name), join(project, name));
  await succeeds(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, '@types/node@20'], project);
});
after(() => work[Symbol.dispose]());

describe('the packed tarball', { timeout: 15 * 60_000 }, () => {
  it('ships built JavaScript and declarations, the README and the LICENSE, and nothing else', async () => {
    const listing = await succeeds('tar', ['tzf', tarball], work.path);
    const files = listing.trim().split('\n');
    assert.ok(files.includes('package/dist/index.js') && files.includes('package/dist/index.d.ts'));
    assert.ok(files.includes('package/LICENSE') && files.includes('package/README.md'));
    const outside = files.filter(
      (f) => !f.startsWith('package/dist/') && !['package/package.json', 'package/README.md', 'package/LICENSE'].includes(f),
    );
    assert.deepEqual(outside, [], 'only dist/, package.json, README and LICENSE are shipped');
    assert.ok(!files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no TypeScript sources are shipped');
    for (const file of ['assets/manifest.json', 'vendor/preact-LICENSE.txt', 'vendor/htm-LICENSE.txt']) {
      assert.ok(files.includes(`package/dist/dashboard/${file}`), `the dashboard ships dist/dashboard/${file}`);
    }
    for (const bundled of [
      /^package\/dist\/dashboard\/assets\/app\.[0-9a-f]{12}\.js$/,
      /^package\/dist\/dashboard\/assets\/style\.[0-9a-f]{12}\.css$/,
    ]) {
      assert.equal(files.filter((f) => bundled.test(f)).length, 1, `the dashboard ships one ${bundled.source}`);
    }
    assert.ok(!files.some((f) => f.startsWith('package/dist/dashboard/public/')), 'the browser modules ship bundled, not one by one');
  });

  it('installs without tsx or pg', () => {
    assert.ok(existsSync(join(project, 'node_modules/perdure/dist/index.js')));
    assert.ok(!existsSync(join(project, 'node_modules/tsx')), 'tsx is not installed with perdure');
    assert.ok(!existsSync(join(project, 'node_modules/pg')), 'pg is not installed with perdure');
  });

  it('runs a plain ESM app that uses every entry point', async () => {
    const stdout = await succeeds(process.execPath, ['app.mjs', 'run', join(project, 'esm.db')], project);
    assert.deepEqual(JSON.parse(stdout), { output: 'Hello ESM!', conflict: true, httpStatus: 200, contractSuite: 'function' });
  });

  it("runs a CommonJS app that calls require('perdure')", async () => {
    const stdout = await succeeds(process.execPath, ['app.cjs', join(project, 'cjs.db')], project);
    assert.deepEqual(JSON.parse(stdout), { output: 42, runtimeStatus: 'Completed' });
  });

  it('compiles a strict NodeNext TypeScript app with tsc against the installed types, and runs it', async () => {
    await succeeds(process.execPath, [TSC, '-p', 'tsconfig.json'], project);
    const stdout = await succeeds(process.execPath, ['out/app.js', join(project, 'ts.db')], project);
    assert.deepEqual(JSON.parse(stdout), { output: { id: 'o-1', cents: 1250 }, runtimeStatus: 'Completed' });
  });

  it('still rejects an activity result used as the wrong type', async () => {
    const wrong = await run(process.execPath, [TSC, '-p', 'tsconfig.wrong.json'], project);
    assert.notEqual(wrong.code, 0, 'tsc must reject the wrong result type');
    assert.match(wrong.stdout, /wrong-result-type\.ts.*error TS2322: Type 'number' is not assignable to type 'string'/);
  });

  it('loads the Durable Functions compatibility entries from ESM and from CommonJS', async () => {
    const esm =
      "import df from 'perdure/durable-functions'; import { app } from 'perdure/azure-functions'; console.log(typeof df.getClient, typeof app.http)";
    assert.equal((await succeeds(process.execPath, ['--input-type=module', '-e', esm], project)).trim(), 'function function');
    const cjs =
      "const df = require('perdure/durable-functions'); const { app } = require('perdure/azure-functions'); console.log(typeof df.app.orchestration, typeof app.timer)";
    assert.equal((await succeeds(process.execPath, ['-e', cjs], project)).trim(), 'function function');
  });

  it('serves a Durable Functions app folder as it stands with `npx perdure start <dir>`', async () => {
    cpSync(DF_SAMPLE, join(project, 'df-app'), { recursive: true });
    const child = spawn('npx', ['--no-install', 'perdure', 'start', 'df-app', '--port', '0', '--store', 'sqlite:./df.db'], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    try {
      const url = await listeningUrl(child);
      const started = await fetch(`${url}/api/orchestrators/helloOrchestrator`, { method: 'POST' });
      assert.equal(started.status, 202);
      const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
      const status = await pollUntilDone(statusQueryGetUri);
      assert.equal(status.runtimeStatus, 'Completed');
      assert.deepEqual(status.output, ['Hello, Tokyo', 'Hello, Seattle', 'Hello, Cairo']);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  });

  it('serves an app with `npx perdure start app.mjs` and answers an HTTP start', async () => {
    const child = spawn('npx', ['--no-install', 'perdure', 'start', 'app-server.mjs', '--port', '0', '--store', 'sqlite:./server.db'], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    try {
      const url = await listeningUrl(child);
      const started = await fetch(`${url}/api/orchestrators/Greeting/packed-1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify('tarball'),
      });
      assert.equal(started.status, 202);
      const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
      const status = await pollUntilDone(statusQueryGetUri);
      assert.deepEqual(
        { runtimeStatus: status.runtimeStatus, output: status.output },
        { runtimeStatus: 'Completed', output: 'Hello tarball!' },
      );
      // The dashboard and its UI library come from the package itself (preact is only a dev dependency), bundled at build.
      const page = await fetch(`${url}/dashboard`);
      assert.equal(page.status, 200);
      const script = /\/dashboard\/assets\/app\.[0-9a-f]{12}\.js/.exec(await page.text())?.[0];
      assert.ok(script, 'the page loads the bundle');
      const bundle = await fetch(`${url}${script}`);
      assert.equal(bundle.status, 200);
      assert.match(await bundle.text(), /\/\/ node_modules\/preact\/hooks\/dist\/hooks\.module\.js\n/, 'the bundle holds the UI library');
      assert.ok(!existsSync(join(project, 'node_modules/preact')), 'preact is not installed with perdure');
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  });

  it('refuses `perdure start app.ts` on a Node without type stripping and no tsx, naming both ways out', async (t) => {
    if ((process.features as { typescript?: unknown }).typescript) return t.skip('this Node strips types itself');
    const result = await run('npx', ['--no-install', 'perdure', 'start', 'app.ts', '--port', '0'], project);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^perdure: Cannot load .*app\.ts: Node v\d+.* Node 22\.18 or later .*npm install --save-dev tsx/m);
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one line');
  });

  it('says `npm install pg` when a PostgreSQL store is opened without pg', async () => {
    const script =
      "import('perdure').then((m) => m.openStore('postgres://127.0.0.1/test')).catch((e) => console.log(e.name + ': ' + e.message))";
    const stdout = await succeeds(process.execPath, ['--input-type=module', '-e', script], project);
    assert.match(stdout, /^ConfigurationError: .*'pg' package.*npm install pg/);
  });

  it('passes publint', async () => {
    const result = await run(join(ROOT, 'node_modules/.bin/publint'), ['run', tarball, '--strict'], ROOT);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });

  it('passes arethetypeswrong for Node ESM, CommonJS require (Node 20.19+) and bundlers', async () => {
    const attw = join(ROOT, 'node_modules/.bin/attw');
    // node16 profile: node10 resolution predates `exports` and cannot see subpaths; engines says Node 20.19+.
    // cjs-resolves-to-esm: the package is ESM only, and CommonJS loads it with require(esm) (Node 20.19+).
    const args = [tarball, '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'];
    const result = await run(attw, args, ROOT);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });
});

function listeningUrl(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`perdure start did not listen:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`perdure start exited (${code}):\n${output}`)));
  });
}

async function pollUntilDone(url: string): Promise<{ runtimeStatus: string; output: unknown }> {
  for (let i = 0; i < 300; i++) {
    const status = (await (await fetch(url)).json()) as { runtimeStatus: string; output: unknown };
    if (status.runtimeStatus !== 'Running' && status.runtimeStatus !== 'Pending') return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not finish`);
}
