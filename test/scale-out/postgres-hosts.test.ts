/**
 * @module test/scale-out/postgres-hosts.test
 * Scale-out acceptance tests: several host processes (real OS processes,
 * fixtures/pg-host.ts) on one PostgreSQL schema, a fresh one per test.
 *
 * - Three hosts run 2,000 HelloSequence instances; one is SIGKILLed mid-run.
 *   Every instance completes with its own output; every history is exactly
 *   the expected event sequence; every history chunk was committed by exactly
 *   one host under one lease token (from the hosts' own commit logs); each
 *   host did work; repeated activity runs happened only where work was cut
 *   short (the killed host, a lost lease).
 * - Singleton storm: four hosts fire 1,000 starts over 20 IDs at the same
 *   moment. Exactly 20 starts say `created`, the store holds 20 instances,
 *   and each orchestrator body really ran once (counted in the orchestrator,
 *   on its first line, outside replay).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHost } from '../../src/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createPostgresStore } from '../../src/store/postgres/store.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { buildScaleApp, expectedHello, type LogLine } from './fixtures/scale-app.ts';
import type { StormReport } from './fixtures/pg-host.ts';
import {
  attributeCommits,
  collectCommits,
  expectExactHistory,
  helloHistory,
  mapLimit,
  readLog,
  singletonHistory,
  spawnHost,
  statusCounts,
  timerFireAt,
  waitFor,
  type HostProcess,
} from './scale-helpers.ts';

const INSTANCES = 2_000;
const STORM_HOSTS = 4;
const STORM_CALLS_PER_HOST = 250;
const STORM_IDS = 20;

describe('scale-out: host processes sharing one PostgreSQL database', () => {
  it('three hosts run 2,000 instances, one is SIGKILLed mid-run; every instance completes once, cleanly', async (t) => {
    await using schema = await createTestSchema('hosts3');
    using dir = createTempDir('perdure-scale-');
    const store = createPostgresStore({ url: schema.baseUrl, schema: schema.name, poolSize: 4 });
    await store.migrate();
    const hosts: HostProcess[] = [];
    try {
      // Short leases, so the killed host's work is taken over soon; renewals keep live activities' leases.
      for (const name of ['h0', 'h1', 'h2']) {
        hosts.push(
          spawnHost(name, {
            url: schema.baseUrl,
            schema: schema.name,
            logFile: dir.file(`${name}.log`),
            orchestrationLeaseMs: 5_000,
            activityLeaseMs: 5_000,
            activityDelayMs: 25,
          }),
        );
      }
      await Promise.all(hosts.map((h) => h.waitForLine((line) => line === 'READY')));

      await using client = await createHost({ app: buildScaleApp(), store, workers: false, logger: silentLogger });
      const ids = Array.from({ length: INSTANCES }, (_, n) => `hello-${n}`);
      const starts = await Promise.all(ids.map((instanceId, n) => client.client.startNew('HelloSequence', { instanceId, input: n })));
      assert.ok(starts.every((s) => s.outcome === 'created'));

      // Pull the plug on a host that has done work, once some (not all) instances are complete.
      const worked = (h: HostProcess) => {
        const lines = readLog(h.logFile);
        return lines.some((l) => l.kind === 'activity') && lines.some((l) => l.kind === 'commit' && l.state === 'ok');
      };
      const { victim, completedAtKill } = await waitFor('some instances to complete', async () => {
        const done = (await statusCounts(schema.name))['Completed'] ?? 0;
        const candidate = done >= INSTANCES / 10 ? hosts.find(worked) : undefined;
        return candidate && { victim: candidate, completedAtKill: done };
      });
      await victim.kill();
      const afterKill = (await statusCounts(schema.name))['Completed'] ?? 0;
      assert.ok(afterKill < INSTANCES, `the kill came too late: ${afterKill} of ${INSTANCES} were already complete`);
      t.diagnostic(`SIGKILLed ${victim.name} with ${completedAtKill}-${afterKill} of ${INSTANCES} instances complete`);

      await waitFor(
        'every instance to finish',
        async () => {
          const counts = await statusCounts(schema.name);
          return (counts['Completed'] ?? 0) + (counts['Failed'] ?? 0) + (counts['Terminated'] ?? 0) === INSTANCES;
        },
        300_000,
      );
      await Promise.all(hosts.filter((h) => h !== victim).map((h) => h.stop()));

      const logs = new Map<string, LogLine[]>(hosts.map((h) => [h.name, readLog(h.logFile)]));
      const commits = collectCommits(logs);
      const chunksByHost = new Map<string, number>();
      let movedBetweenHosts = 0;
      await mapLimit(ids, 16, async (instanceId) => {
        const n = Number(instanceId.slice('hello-'.length));
        const instance = await store.getInstance(instanceId);
        assert.equal(
          instance?.runtimeStatus,
          'Completed',
          `${instanceId}: ${instance?.runtimeStatus} ${JSON.stringify(instance?.failure)}`,
        );
        assert.deepEqual(instance.output, expectedHello(n), `${instanceId}'s output`);
        const history = await store.getHistory(instanceId);
        expectExactHistory(instanceId, history, helloHistory(n));
        const committers = attributeCommits(instanceId, history, commits);
        if (committers.size > 1) movedBetweenHosts++;
        for (const [host, chunks] of committers) chunksByHost.set(host, (chunksByHost.get(host) ?? 0) + chunks);
      });

      // Activities: at least once each; a repeat only where a run was cut short.
      const runs = new Map<string, { host: string; attempt: number }[]>();
      const activitiesByHost = new Map<string, number>();
      for (const [host, lines] of logs) {
        for (const line of lines) {
          if (line.kind !== 'activity') continue;
          const key = `${line.instanceId}#${line.taskId}`;
          runs.set(key, [...(runs.get(key) ?? []), { host, attempt: line.attempt }]);
          activitiesByHost.set(host, (activitiesByHost.get(host) ?? 0) + 1);
        }
      }
      assert.equal(runs.size, INSTANCES * 3, 'every activity ran');
      const cutShort = new Set<string>();
      for (const [host, lines] of logs) {
        for (const line of lines) {
          if (line.kind === 'commit' && (host === victim.name || line.state === 'lost')) cutShort.add(line.instanceId);
          if (line.kind === 'activity' && host === victim.name) cutShort.add(line.instanceId);
        }
      }
      for (const [key, list] of runs) {
        if (list.length === 1) continue;
        const instanceId = key.slice(0, key.indexOf('#'));
        const explained = cutShort.has(instanceId) || list.some((r) => r.attempt > 1) || unknownCommit(commits, instanceId);
        assert.ok(explained, `${key} ran ${list.length} times (${JSON.stringify(list)}) though no run of it was cut short`);
      }
      const repeats = [...runs.values()].reduce((sum, list) => sum + list.length - 1, 0);
      t.diagnostic(`activity runs per host: ${JSON.stringify(Object.fromEntries(activitiesByHost))}; repeated runs: ${repeats}`);
      t.diagnostic(
        `history chunks committed per host: ${JSON.stringify(Object.fromEntries(chunksByHost))}; instances whose turns were committed by more than one host: ${movedBetweenHosts}`,
      );
      for (const host of hosts) {
        assert.ok((activitiesByHost.get(host.name) ?? 0) > 0, `${host.name} ran activities`);
        assert.ok((chunksByHost.get(host.name) ?? 0) > 0, `${host.name} committed turns`);
      }
    } finally {
      await Promise.all(hosts.map((h) => h.kill()));
      await store.close();
    }
  });

  it(`singleton storm: ${STORM_HOSTS} hosts fire ${STORM_HOSTS * STORM_CALLS_PER_HOST} starts over ${STORM_IDS} IDs; ${STORM_IDS} instances, each executed once`, async (t) => {
    await using schema = await createTestSchema('storm');
    using dir = createTempDir('perdure-storm-');
    const store = createPostgresStore({ url: schema.baseUrl, schema: schema.name, poolSize: 2 });
    await store.migrate(); // once here, so the hosts start on a ready schema
    const hosts: HostProcess[] = [];
    try {
      const storm = { prefix: 'storm', ids: STORM_IDS, calls: STORM_CALLS_PER_HOST, timerMs: 2_000 };
      for (let i = 0; i < STORM_HOSTS; i++) {
        hosts.push(spawnHost(`s${i}`, { url: schema.baseUrl, schema: schema.name, logFile: dir.file(`s${i}.log`), poolSize: 4, storm }));
      }
      await Promise.all(hosts.map((h) => h.waitForLine((line) => line === 'READY')));
      // Every host fires at the same moment, so the starts really race.
      const startAt = Date.now() + 500;
      for (const host of hosts) host.send(`storm ${startAt}`);
      const reports = await Promise.all(
        hosts.map(async (h) => JSON.parse(await h.waitForLine((line) => line.startsWith('{'))) as StormReport),
      );
      t.diagnostic(
        `outcomes per host: ${JSON.stringify(reports.map(({ created, existing, replaced }) => ({ created, existing, replaced })))}`,
      );
      assert.deepEqual(
        reports.flatMap((r) => r.errors),
        [],
      );
      assert.equal(
        reports.reduce((sum, r) => sum + r.created, 0),
        STORM_IDS,
        'starts that created an instance',
      );
      assert.equal(
        reports.reduce((sum, r) => sum + r.replaced, 0),
        0,
        'starts that replaced one',
      );
      assert.equal(
        reports.reduce((sum, r) => sum + r.existing, 0),
        STORM_HOSTS * STORM_CALLS_PER_HOST - STORM_IDS,
      );

      await waitFor(
        'every singleton to finish its timer',
        async () => (await statusCounts(schema.name))['Completed'] === STORM_IDS,
        120_000,
      );
      await Promise.all(hosts.map((h) => h.stop()));

      const counts = await statusCounts(schema.name);
      assert.deepEqual(counts, { Completed: STORM_IDS }, 'the store holds exactly the singletons');
      const executions = new Map<string, Set<string>>();
      let bodyRuns = 0;
      for (const host of hosts) {
        for (const line of readLog(host.logFile)) {
          if (line.kind !== 'execution') continue;
          bodyRuns++;
          executions.set(line.instanceId, (executions.get(line.instanceId) ?? new Set()).add(line.executionId));
        }
      }
      const ids = Array.from({ length: STORM_IDS }, (_, i) => `storm-${i}`);
      assert.deepEqual([...executions.keys()].sort(), [...ids].sort(), 'an orchestrator body ran for every ID, and only those');
      assert.equal(bodyRuns, STORM_IDS, 'each orchestrator body ran exactly once');
      for (const instanceId of ids) {
        const instance = await store.getInstance(instanceId);
        assert.deepEqual(
          [...executions.get(instanceId)!],
          [instance?.executionId],
          `${instanceId}: the one execution that ran is the stored one`,
        );
        assert.equal(instance?.output, instanceId);
        const history = await store.getHistory(instanceId);
        expectExactHistory(instanceId, history, singletonHistory(instanceId, 2_000, timerFireAt(history)));
      }
    } finally {
      await Promise.all(hosts.map((h) => h.kill()));
      await store.close();
    }
  });
});

function unknownCommit(commits: ReturnType<typeof collectCommits>, instanceId: string): boolean {
  return (commits.byInstance.get(instanceId) ?? []).some((c) => c.state === 'unknown');
}
