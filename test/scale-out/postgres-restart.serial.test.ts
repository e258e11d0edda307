/**
 * @module test/scale-out/postgres-restart.serial.test
 * The PostgreSQL server restarts while two host processes are busy with
 * hundreds of instances, some of them waiting on durable timers. Every
 * connection breaks (fast shutdown rolls back what was in flight); the hosts
 * must reconnect on their own, and every instance must still complete with
 * its own output and an exact history, each chunk committed once.
 *
 * Serial (see scripts/run-tests.mjs): the restart disturbs every test that
 * uses the server, so this file runs alone. The server is restarted once,
 * and brought back up in a finally block whatever happens.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHost } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createPostgresStore } from '../../src/store/postgres/store.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { ensurePostgresUp, postmasterStartTime, restartPostgres } from '../helpers/postgres-server.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { buildScaleApp, expectedHello, expectedSleeper, type LogLine } from './fixtures/scale-app.ts';
import {
  attributeCommits,
  collectCommits,
  expectExactHistory,
  helloHistory,
  mapLimit,
  readLog,
  sleeperHistory,
  spawnHost,
  statusCounts,
  timerFireAt,
  waitFor,
  type HostProcess,
} from './scale-helpers.ts';

const HELLOS = 300;
const SLEEPERS = 40;
const TOTAL = HELLOS + SLEEPERS;

describe('scale-out: the PostgreSQL server restarts mid-run', () => {
  it(`${HELLOS} HelloSequence and ${SLEEPERS} timer instances on two hosts all complete across a server restart`, async (t) => {
    await using schema = await createTestSchema('restart');
    using dir = createTempDir('perdure-restart-');
    const hosts: HostProcess[] = [];
    const store = createPostgresStore({ url: schema.baseUrl, schema: schema.name, poolSize: 4 });
    try {
      await store.migrate();
      // Slow activities and few slots keep the run going for several seconds, so the restart lands mid-run.
      for (const name of ['r0', 'r1']) {
        hosts.push(
          spawnHost(name, {
            url: schema.baseUrl,
            schema: schema.name,
            logFile: dir.file(`${name}.log`),
            orchestrationLeaseMs: 5_000,
            activityLeaseMs: 5_000,
            activityDelayMs: 300,
            activityConcurrency: 25,
          }),
        );
      }
      await Promise.all(hosts.map((h) => h.waitForLine((line) => line === 'READY')));

      await using client = await createHost({ app: buildScaleApp(), store, workers: false, logger: silentLogger });
      const hellos = Array.from({ length: HELLOS }, (_, n) => `hello-${n}`);
      const sleepers = Array.from({ length: SLEEPERS }, (_, n) => `sleeper-${n}`);
      const timerMs = (n: number) => 1_000 + n * 150; // due from 1 s to 7 s after the start: before, during and after the restart
      await Promise.all([
        ...hellos.map((instanceId, n) => client.client.startNew('HelloSequence', { instanceId, input: n })),
        ...sleepers.map((instanceId, n) => client.client.startNew('Sleeper', { instanceId, input: { n, timerMs: timerMs(n) } })),
      ]);

      const before = await postmasterStartTime();
      const doneBefore = await waitFor('some instances to complete', async () => {
        const done = (await statusCounts(schema.name))['Completed'] ?? 0;
        return done >= 30 ? done : undefined;
      });
      const restartAt = Date.now();
      await restartPostgres();
      const returnedAt = Date.now();
      // The new server takes connections well before pg_ctlcluster returns; the hosts go on from then.
      const restartedAt = await postmasterStartTime();
      assert.ok(restartedAt > before, 'the server really restarted');
      t.diagnostic(
        `restarted the server at ${new Date(restartAt).toISOString()}, with ${doneBefore} of ${TOTAL} instances complete; ` +
          `the new server started ${restartedAt - restartAt} ms later (pg_ctlcluster returned after ${returnedAt - restartAt} ms)`,
      );
      assert.ok(doneBefore < TOTAL, `the restart came too late: ${doneBefore} of ${TOTAL} were already complete`);

      await waitFor(
        'every instance to finish',
        async () => {
          const counts = await statusCounts(schema.name);
          return (counts['Completed'] ?? 0) + (counts['Failed'] ?? 0) + (counts['Terminated'] ?? 0) === TOTAL;
        },
        300_000,
      );
      for (const host of hosts) assert.equal(host.child.exitCode, null, `${host.name} kept running: ${host.stderr().slice(-2_000)}`);
      await Promise.all(hosts.map((h) => h.stop()));

      const logs = new Map<string, LogLine[]>(hosts.map((h) => [h.name, readLog(h.logFile)]));
      const commits = collectCommits(logs);
      await mapLimit([...hellos, ...sleepers], 16, async (instanceId) => {
        const n = Number(instanceId.slice(instanceId.indexOf('-') + 1));
        const isHello = instanceId.startsWith('hello-');
        const instance = await store.getInstance(instanceId);
        assert.equal(
          instance?.runtimeStatus,
          'Completed',
          `${instanceId}: ${instance?.runtimeStatus} ${JSON.stringify(instance?.failure)}`,
        );
        assert.deepEqual(instance.output, isHello ? expectedHello(n) : expectedSleeper(n), `${instanceId}'s output`);
        const history = await store.getHistory(instanceId);
        expectExactHistory(instanceId, history, isHello ? helloHistory(n) : sleeperHistory(n, timerMs(n), timerFireAt(history)));
        attributeCommits(instanceId, history, commits);
      });

      // Each host reconnected by itself and went on working.
      for (const host of hosts) {
        const runs = logs.get(host.name)!.flatMap((l) => (l.kind === 'activity' ? [l.at - restartedAt] : []));
        const shown = `its last activity runs began at ${JSON.stringify(runs.slice(-10))} ms after the new server started; stderr: ${host.stderr().slice(-2_000)}`;
        assert.ok(
          runs.some((at) => at > 0),
          `${host.name} ran activities after the restart; ${shown}`,
        );
      }
      const unknown = [...commits.byInstance.values()].flat().filter((c) => c.state === 'unknown').length;
      const complaints = hosts.map(
        (h) =>
          `${h.name}: ${
            h
              .stderr()
              .split('\n')
              .filter((l) => l.startsWith('[perdure]')).length
          }`,
      );
      t.diagnostic(
        `commits whose outcome the hosts never learned: ${unknown}; errors the hosts logged and retried: ${complaints.join(', ')}`,
      );
    } finally {
      await Promise.all(hosts.map((h) => h.kill()));
      await ensurePostgresUp();
      await store.close();
    }
  });
});
