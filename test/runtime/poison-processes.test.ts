/**
 * @module test/runtime/poison-processes.test
 * Work that kills its host, and orchestrators that never yield, against the
 * real `perdure start` in child processes, on SQLite and on PostgreSQL:
 * - an activity or a turn that calls process.exit is run again after each
 *   restart only until maxDeliveries deliveries ended without a result; then
 *   its instance is Failed with failure details naming the work, and the host
 *   stays up;
 * - a spinning orchestrator is stopped at its turn budget, the management
 *   API keeps answering meanwhile, it can be terminated from another host,
 *   and SIGTERM still ends the process.
 * Leases are shortened through a config file so a restarted host takes the
 * dead one's work over within a fraction of a second.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createHost, silentLogger } from '../../src/index.ts';
import { MANAGEMENT, request, waitForStatus } from '../helpers/http-client.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { spawnCli, startServer } from '../helpers/server-process.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import poisonApp from './fixtures/poison-app.ts';

const APP = fileURLToPath(new URL('./fixtures/poison-app.ts', import.meta.url));
const MAX_DELIVERIES = 3;

function writeConfig(path: string, extra = ''): string {
  writeFileSync(
    path,
    `export default { maxDeliveries: ${MAX_DELIVERIES}, orchestrations: { leaseMs: 300${extra} }, activities: { leaseMs: 300 } };\n`,
  );
  return path;
}

/**
 * Starts `name` from a client-only host, then runs `perdure start` again each
 * time it dies, until the instance is terminal. Returns the instance, how many
 * hosts died, and the last host (still running) for the caller to stop.
 */
async function runUntilSettled(store: string, config: string, name: string, instanceId: string) {
  await using client = await createHost({ app: poisonApp, store, workers: false, logger: silentLogger });
  await client.client.startNew(name, { instanceId });
  let deaths = 0;
  for (let run = 0; run <= MAX_DELIVERIES + 1; run++) {
    const host = spawnCli(['start', APP, '--port', '0', '--store', store, '--config', config]);
    let exited = false;
    void host.exited.then(() => (exited = true));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const instance = await client.client.getStatus(instanceId);
      if (instance && ['Failed', 'Completed', 'Terminated'].includes(instance.runtimeStatus)) {
        return { instance, deaths, host };
      }
      if (exited) break;
      assert.ok(Date.now() < deadline, `host neither died nor settled '${instanceId}':\n${host.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal((await host.exited).code, 1, `the host should have been killed by the poison:\n${host.output()}`);
    deaths += 1;
  }
  assert.fail(`'${instanceId}' was still not failed after ${deaths} hosts died`);
}

async function poisonCases(store: string, config: string): Promise<void> {
  const activity = await runUntilSettled(store, config, 'CallsExit', 'poison-activity');
  try {
    assert.equal(activity.instance.runtimeStatus, 'Failed');
    assert.ok(activity.deaths <= MAX_DELIVERIES, `${activity.deaths} hosts died for ${MAX_DELIVERIES} allowed deliveries`);
    const failure = activity.instance.failureDetails;
    assert.equal(failure?.name, 'PoisonedWorkError');
    assert.match(failure?.message ?? '', /Activity 'Exit' \(task #0 of instance 'poison-activity'\)/);
    assert.match(failure?.message ?? '', new RegExp(`delivered ${MAX_DELIVERIES} times`));
    assert.equal(activity.host.child.exitCode, null, 'the host that found the poison stays up');
  } finally {
    activity.host.child.kill('SIGKILL');
    await activity.host.exited;
  }
  const turn = await runUntilSettled(store, config, 'ExitsInTurn', 'poison-turn');
  try {
    assert.equal(turn.instance.runtimeStatus, 'Failed');
    assert.equal(turn.deaths, MAX_DELIVERIES);
    assert.equal(turn.instance.failureDetails?.name, 'PoisonedWorkError');
    assert.match(turn.instance.failureDetails?.message ?? '', /Orchestration 'ExitsInTurn' \(instance 'poison-turn'\)/);
    assert.match(turn.instance.failureDetails?.message ?? '', new RegExp(`delivered ${MAX_DELIVERIES} times`));
  } finally {
    turn.host.child.kill('SIGKILL');
    await turn.host.exited;
  }
}

describe('poison work in real processes', () => {
  it('SQLite: an activity and a turn that kill the host fail their instances after maxDeliveries deliveries', async () => {
    using dir = createTempDir('perdure-poison-');
    await poisonCases(`sqlite:${dir.file('store.db')}`, writeConfig(dir.file('perdure.config.mjs')));
  });

  it('PostgreSQL: an activity and a turn that kill the host fail their instances after maxDeliveries deliveries', async () => {
    using dir = createTempDir('perdure-poison-pg-');
    await using schema = await createTestSchema('poison');
    await poisonCases(schema.url, writeConfig(dir.file('perdure.config.mjs')));
  });
});

describe('a spinning orchestrator in a real process', () => {
  it('is stopped at its budget while the API answers, can be terminated, fails after bounded tries, and SIGTERM still ends the host', async () => {
    using dir = createTempDir('perdure-spin-');
    const store = `sqlite:${dir.file('store.db')}`;
    // Enough deliveries that the one to terminate is still spinning when the termination arrives.
    const config = dir.file('perdure.config.mjs');
    writeFileSync(config, 'export default { maxDeliveries: 20, orchestrations: { leaseMs: 300, turnBudgetMs: 100 } };\n');
    await using server = await startServer({ store, app: APP, args: ['--config', config] });
    const start = (id: string) => request(`${server.url}${MANAGEMENT}/orchestrators/Spins/${id}`, { method: 'POST', json: null });
    assert.equal((await start('spin-terminated')).status, 202);
    // While it spins, health and the management API answer (each answer waits at most one budget).
    for (let i = 0; i < 5; i++) {
      const health = await request(`${server.url}/api/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(health.body, { status: 'ok' });
      const status = await request(`${server.url}${MANAGEMENT}/instances/spin-terminated`);
      assert.equal(status.status, 202, 'a running instance answers 202 with its status');
      assert.equal(status.body.runtimeStatus, 'Pending', 'its first turn never got to commit');
    }
    await using other = await createHost({ app: poisonApp, store, workers: false, logger: silentLogger });
    await other.client.terminate('spin-terminated', 'spins');
    const terminated = await waitForStatus(server.url, 'spin-terminated', undefined, { timeoutMs: 30_000 });
    assert.equal(terminated.runtimeStatus, 'Terminated');
    assert.equal(terminated.output, 'spins');

    assert.equal((await start('spin-failed')).status, 202);
    const failed = await waitForStatus(server.url, 'spin-failed', undefined, { timeoutMs: 60_000 });
    assert.equal(failed.runtimeStatus, 'Failed');
    assert.match(JSON.stringify(failed.output), /did not yield within its turn budget of 100 ms/);

    assert.equal((await start('spin-at-shutdown')).status, 202);
    const exit = await Promise.race([
      server.stop('SIGTERM'),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000).unref()),
    ]);
    assert.deepEqual(exit, { code: 0, signal: null }, `SIGTERM did not end the host:\n${server.output()}`);
  });
});
