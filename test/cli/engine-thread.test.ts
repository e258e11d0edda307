/**
 * @module test/cli/engine-thread.test
 * `perdure start` runs the workers in an engine thread (decision 0038), in a
 * real child process:
 * - an orchestrator that spins forever (no turn budget) never stops health
 *   and the management API from answering, and SIGTERM still ends the
 *   process, terminating the stuck thread after the grace period;
 * - a budgeted spin, on SQLite and on PostgreSQL: health answers during each
 *   delivery, a termination over HTTP ends it, and one left alone fails
 *   after bounded tries;
 * - the engine's work reaches the main thread: a start-and-wait wakes on the
 *   engine's commit (its poll is set far beyond the test), /metrics counts
 *   the engine's activities and turns, and the engine logs as JSON lines;
 * - `--no-engine-thread` and `engineThread: false` keep one thread.
 * No assertion is about time: each request must answer (a hung host would
 * never answer the first one), not answer fast.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { MANAGEMENT, request, waitForCompletion, waitForStatus } from '../helpers/http-client.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { spawnCli, startServer, type ServerProcess } from '../helpers/server-process.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

const APP = fileURLToPath(new URL('./fixtures/spin-app.ts', import.meta.url));
/** Not a latency bound: a host whose only thread spins forever would never answer at all. */
const ANSWER_WITHIN_MS = 20_000;

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done()) {
    assert.ok(Date.now() < deadline, `gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function startSpin(server: ServerProcess, instanceId: string, marker: string) {
  return request(`${server.url}${MANAGEMENT}/orchestrators/SpinsAfterMark/${instanceId}`, { method: 'POST', json: marker });
}

/** Health, one request after another: each must answer 200. */
async function healthAnswers(server: ServerProcess, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const health = await request(`${server.url}/api/health`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
  }
}

function deliveries(marker: string): number {
  return existsSync(marker) ? readFileSync(marker, 'utf8').split('\n').filter(Boolean).length : 0;
}

async function budgetedSpin(store: string, dir: ReturnType<typeof createTempDir>): Promise<void> {
  const config = dir.file('perdure.config.mjs');
  writeFileSync(config, 'export default { maxDeliveries: 3, orchestrations: { leaseMs: 300, turnBudgetMs: 1000 } };\n');
  await using server = await startServer({ store, app: APP, args: ['--config', config] });
  assert.match(server.output(), /Workers: engine thread/);
  const terminatedMarker = dir.file('terminated.marks');
  assert.equal((await startSpin(server, 'spin-terminated', terminatedMarker)).status, 202);
  await until(() => deliveries(terminatedMarker) >= 1, 'the first delivery to spin');
  await healthAnswers(server, 20);
  const terminate = await request(`${server.url}${MANAGEMENT}/instances/spin-terminated/terminate?reason=spins`, {
    method: 'POST',
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  assert.equal(terminate.status, 202);
  const terminated = await waitForStatus(server.url, 'spin-terminated');
  assert.equal(terminated.runtimeStatus, 'Terminated');
  assert.equal(terminated.output, 'spins');

  const failedMarker = dir.file('failed.marks');
  assert.equal((await startSpin(server, 'spin-failed', failedMarker)).status, 202);
  await until(() => deliveries(failedMarker) >= 1, 'the spinner left alone to spin');
  await healthAnswers(server, 20);
  const failed = await waitForStatus(server.url, 'spin-failed');
  assert.equal(failed.runtimeStatus, 'Failed');
  assert.match(JSON.stringify(failed.output), /did not yield within its turn budget of 1000 ms/);
  assert.ok(deliveries(failedMarker) <= 3, `${deliveries(failedMarker)} deliveries for maxDeliveries 3`);
  assert.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null }, server.output());
}

describe('perdure start: the engine thread', () => {
  it('keeps health and the management API answering while an orchestrator spins forever; SIGTERM terminates the stuck thread', async () => {
    using dir = createTempDir('perdure-engine-frozen-');
    const config = dir.file('perdure.config.mjs');
    // No budget: nothing stops the spin, so a host that ran it on its HTTP thread would never answer again.
    writeFileSync(config, 'export default { orchestrations: { turnBudgetMs: 0 }, shutdownGraceMs: 100 };\n');
    await using server = await startServer({ store: `sqlite:${dir.file('store.db')}`, app: APP, args: ['--config', config] });
    const marker = dir.file('frozen.marks');
    assert.equal((await startSpin(server, 'spin-forever', marker)).status, 202);
    await until(() => deliveries(marker) === 1, 'the orchestrator to start spinning');
    await healthAnswers(server, 50);
    const status = await request(`${server.url}${MANAGEMENT}/instances/spin-forever`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    assert.equal(status.body.runtimeStatus, 'Pending', 'its first turn never committed');
    const terminate = await request(`${server.url}${MANAGEMENT}/instances/spin-forever/terminate?reason=stuck`, {
      method: 'POST',
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    assert.equal(terminate.status, 202, 'the termination is accepted (it applies once the instance is delivered again)');
    assert.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null }, server.output());
    assert.match(server.output(), /the engine thread did not stop within \d+ ms; terminating it/);
  });

  it('SQLite: a budgeted spin fails after bounded tries or is terminated over HTTP, while health answers', async () => {
    using dir = createTempDir('perdure-engine-spin-');
    await budgetedSpin(`sqlite:${dir.file('store.db')}`, dir);
  });

  it('PostgreSQL: a budgeted spin fails after bounded tries or is terminated over HTTP, while health answers', async () => {
    using dir = createTempDir('perdure-engine-spin-pg-');
    await using schema = await createTestSchema('engine_spin');
    await budgetedSpin(schema.url, dir);
  });

  it("wakes a start-and-wait on the engine's commit, counts the engine's work in /metrics, and logs from the engine as JSON", async () => {
    using dir = createTempDir('perdure-engine-wait-');
    await using server = await startServer({
      store: `sqlite:${dir.file('store.db')}`,
      app: APP,
      args: ['--log-format', 'json'],
    });
    // A poll as long as the wait: the answer comes in time only if the engine's commit wakes this thread's waiter.
    const waiting = request(`${server.url}${MANAGEMENT}/orchestrators/WaitsForGo/wait-1?timeout=60&pollingInterval=60`, {
      method: 'POST',
      json: null,
    });
    await waitForStatus(server.url, 'wait-1', (s) => s?.runtimeStatus === 'Running');
    const raised = await request(`${server.url}${MANAGEMENT}/instances/wait-1/raiseEvent/go`, { method: 'POST', json: 'went' });
    assert.equal(raised.status, 202);
    const answer = await waiting;
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body, 'went');

    assert.equal((await request(`${server.url}${MANAGEMENT}/orchestrators/Doubles/doubles-1`, { method: 'POST', json: 5 })).status, 202);
    assert.equal((await waitForCompletion(server.url, 'doubles-1')).output, 20);
    const metrics = await request(`${server.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /perdure_activity_executions_total\{name="Double",outcome="completed"\} 2\n/);
    assert.match(metrics.text, /perdure_orchestrations_completed_total\{name="Doubles",status="Completed"\} 1\n/);
    assert.match(metrics.text, /perdure_orchestrations_started_total\{name="Doubles"\} 1\n/, 'counted once, by the client');
    assert.match(metrics.text, /perdure_instances\{status="Completed"\} 2\n/, 'read from the store once, not once per thread');
    await server.stop('SIGTERM');
    const logged = server
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; name?: string; n?: number });
    assert.ok(
      logged.some((line) => line.msg === 'doubling' && line.n === 5),
      `the activity's log line is JSON: ${server.stderr()}`,
    );
  });

  it('fails to start, naming the cause, when the engine thread cannot load the app', async () => {
    using dir = createTempDir('perdure-engine-fails-');
    const app = fileURLToPath(new URL('./fixtures/engine-fails-app.ts', import.meta.url));
    const failed = spawnCli(['start', app, '--port', '0', '--store', `sqlite:${dir.file('store.db')}`]);
    assert.equal((await failed.exited).code, 1, failed.output());
    assert.match(failed.stderr(), /engine-only failure while loading the app/);
    assert.doesNotMatch(failed.output(), /Listening on/);
  });

  it('loads a TypeScript app that Node takes for CommonJS (no "type": "module" around it) in the engine too', async () => {
    using dir = createTempDir('perdure-engine-cjs-ts-');
    const index = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
    const app = dir.file('app.ts');
    writeFileSync(
      app,
      `import { app } from ${JSON.stringify(index)};\n` +
        `const double = app.activity('Double', (n: number) => n * 2);\n` +
        `app.orchestration('Doubles', function* (ctx) { return yield* ctx.callActivity(double, ctx.getInput<number>()); });\n` +
        'export default app;\n',
    );
    await using server = await startServer({ store: `sqlite:${dir.file('store.db')}`, app });
    assert.match(server.output(), /Workers: engine thread/);
    assert.equal((await request(`${server.url}${MANAGEMENT}/orchestrators/Doubles/cjs-1`, { method: 'POST', json: 4 })).status, 202);
    assert.equal((await waitForCompletion(server.url, 'cjs-1')).output, 8);
  });

  it("runs the process's --import preloads (a tracing setup) in the engine thread too", async () => {
    using dir = createTempDir('perdure-engine-preload-');
    const log = dir.file('preload.log');
    const preload = new URL('./fixtures/preload.mjs', import.meta.url).href;
    await using server = await startServer({
      store: `sqlite:${dir.file('store.db')}`,
      app: APP,
      env: { NODE_OPTIONS: `--import=${preload}`, PERDURE_TEST_PRELOAD_LOG: log },
    });
    assert.deepEqual(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort(), ['engine', 'main']);
    assert.equal((await request(`${server.url}${MANAGEMENT}/orchestrators/Doubles/preload-1`, { method: 'POST', json: 3 })).status, 202);
    assert.equal((await waitForCompletion(server.url, 'preload-1')).output, 12);
  });

  it('--no-engine-thread, engineThread: false, PERDURE_ENGINE_THREAD=false and an in-memory store run the workers on the HTTP thread; a bad engineThread is refused', async () => {
    using dir = createTempDir('perdure-engine-off-');
    {
      await using server = await startServer({ store: `sqlite:${dir.file('store.db')}`, app: APP, args: ['--no-engine-thread'] });
      assert.match(server.output(), /Workers: on the HTTP thread \(engine thread off\)/);
      assert.equal((await request(`${server.url}${MANAGEMENT}/orchestrators/Doubles/off-1`, { method: 'POST', json: 1 })).status, 202);
      assert.equal((await waitForCompletion(server.url, 'off-1')).output, 4);
    }
    {
      // A second connection to an in-memory store would open another, empty store: it keeps one thread.
      await using server = await startServer({ store: 'sqlite::memory:', app: APP });
      assert.match(server.output(), /Workers: on the HTTP thread \(engine thread off\)/);
      assert.equal((await request(`${server.url}${MANAGEMENT}/orchestrators/Doubles/memory-1`, { method: 'POST', json: 2 })).status, 202);
      assert.equal((await waitForCompletion(server.url, 'memory-1')).output, 8);
    }
    const config = dir.file('perdure.config.mjs');
    writeFileSync(config, 'export default { engineThread: false };\n');
    {
      await using server = await startServer({ store: `sqlite:${dir.file('store.db')}`, app: APP, args: ['--config', config] });
      assert.match(server.output(), /Workers: on the HTTP thread \(engine thread off\)/);
    }
    {
      // The environment overrides the config file.
      writeFileSync(config, 'export default { engineThread: true };\n');
      const env = { PERDURE_ENGINE_THREAD: 'false' };
      await using server = await startServer({ store: `sqlite:${dir.file('store.db')}`, app: APP, args: ['--config', config], env });
      assert.match(server.output(), /Workers: on the HTTP thread \(engine thread off\)/);
    }
    writeFileSync(config, "export default { engineThread: 'no' };\n");
    const bad = spawnCli(['start', APP, '--port', '0', '--store', `sqlite:${dir.file('store.db')}`, '--config', config]);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr(), /engineThread in .* must be true or false/);
  });
});
