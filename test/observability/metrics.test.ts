/**
 * `/metrics` over real HTTP: Prometheus text that parses, behind the key,
 * whose counters match the work the host did; each host has its own registry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp, createHost, InstanceAlreadyExistsError, silentLogger, type Host } from '../../src/index.ts';
import { createHttpApp, serveHttp, type HttpServer } from '../../src/http/index.ts';
import { RuntimeStatus } from '../../src/model/runtime-status.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

const app = createApp();
const sayHello = app.activity('SayHello', (city: string) => `Hello ${city}!`);
const fail = app.activity('Fail', () => {
  throw new Error('always');
});
app.orchestration('HelloSequence', function* (ctx) {
  const outputs: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) outputs.push(yield* ctx.callActivity(sayHello, city));
  return outputs;
});
app.orchestration('Failing', function* (ctx) {
  yield* ctx.callActivity(fail);
});

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text format (0.0.4); throws on any line that is not a comment, blank or a sample. */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\w+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (-?[\d.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!sample) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found?.value;
}

describe('/metrics', () => {
  const dir = createTempDir('perdure-metrics-');
  let host: Host;
  let server: HttpServer;
  const key = 'metrics-test-master-key-0123456789';

  before(async () => {
    host = await createHost({
      app,
      store: `sqlite:${dir.file('perdure.db')}`,
      logger: silentLogger,
      keys: { masterKey: key },
    });
    server = await serveHttp({ fetch: createHttpApp(host).fetch, port: 0, keys: { masterKey: key } });
  });
  after(async () => {
    await server.close();
    await host.stop();
    dir[Symbol.dispose]();
  });

  it('is closed without the key', async () => {
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 401);
  });

  it('parses as Prometheus text whose counters match the work done', async () => {
    for (let i = 0; i < 4; i++) await host.client.startNew('HelloSequence', { instanceId: `hello-${i}` });
    await host.client.startNew('Failing', { instanceId: 'failing' });
    await assert.rejects(host.client.startNew('HelloSequence', { instanceId: 'hello-0', reuseStatuses: [] }), InstanceAlreadyExistsError);
    for (const id of ['hello-0', 'hello-1', 'hello-2', 'hello-3', 'failing'])
      await host.client.waitForCompletion(id, { timeoutMs: 20_000 });

    const response = await fetch(`${server.url}/metrics?code=${key}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const { samples, types } = parsePrometheus(await response.text());

    assert.equal(types.get('perdure_orchestrations_started_total'), 'counter');
    assert.equal(types.get('perdure_orchestration_duration_seconds'), 'histogram');
    assert.equal(value(samples, 'perdure_orchestrations_started_total', { name: 'HelloSequence' }), 4);
    assert.equal(value(samples, 'perdure_orchestrations_started_total', { name: 'Failing' }), 1);
    assert.equal(value(samples, 'perdure_orchestrations_completed_total', { name: 'HelloSequence', status: 'Completed' }), 4);
    assert.equal(value(samples, 'perdure_orchestrations_completed_total', { name: 'Failing', status: 'Failed' }), 1);
    assert.equal(value(samples, 'perdure_orchestration_duration_seconds_count', { name: 'HelloSequence' }), 4);
    assert.equal(value(samples, 'perdure_activity_executions_total', { name: 'SayHello', outcome: 'completed' }), 12);
    assert.equal(value(samples, 'perdure_activity_executions_total', { name: 'Fail', outcome: 'failed' }), 1);
    assert.equal(value(samples, 'perdure_activity_duration_seconds_count', { name: 'SayHello' }), 12);
    assert.equal(value(samples, 'perdure_singleton_conflicts_total', { name: 'HelloSequence' }), 1);
    assert.equal(value(samples, 'perdure_lease_lost_total'), 0);
    assert.ok(value(samples, 'perdure_turn_duration_seconds_count')! >= 5, 'at least a turn per instance');
    assert.ok(value(samples, 'perdure_store_commit_seconds_count', { kind: 'orchestrations' })! >= 1);
    assert.equal(value(samples, 'perdure_instances', { status: RuntimeStatus.Completed }), 4);
    assert.equal(value(samples, 'perdure_instances', { status: RuntimeStatus.Failed }), 1);
    // The gauge reads the store's counters (countInstancesByStatus), so it agrees with a full listing.
    const listed = (await host.client.listInstances({ pageSize: 1000 })).instances.filter((i) => i.runtimeStatus === 'Completed');
    assert.equal(listed.length, 4);
  });

  it('gives each host its own registry, so two hosts in one process neither collide nor mix figures', async () => {
    await using other = await createHost({ app, store: `sqlite:${dir.file('other.db')}`, logger: silentLogger });
    await other.client.startNew('HelloSequence', { instanceId: 'elsewhere' });
    await other.client.waitForCompletion('elsewhere', { timeoutMs: 20_000 });
    const mine = parsePrometheus(await host.metrics.text()).samples;
    const theirs = parsePrometheus(await other.metrics.text()).samples;
    assert.equal(value(theirs, 'perdure_orchestrations_started_total', { name: 'HelloSequence' }), 1);
    assert.equal(value(mine, 'perdure_orchestrations_started_total', { name: 'HelloSequence' }), 4);
  });

  it('shows the backlog by queue, counted by the store', async () => {
    // A client-only host leases nothing: its starts wait in the store for a worker.
    await using clientOnly = await createHost({ app, store: `sqlite:${dir.file('backlog.db')}`, logger: silentLogger, workers: false });
    for (const id of ['w-1', 'w-2', 'w-3']) await clientOnly.client.startNew('HelloSequence', { instanceId: id });
    const { samples } = parsePrometheus(await clientOnly.metrics.text());
    assert.equal(value(samples, 'perdure_backlog', { queue: 'orchestrations' }), 3);
    assert.equal(value(samples, 'perdure_backlog', { queue: 'activities' }), 0);
    assert.equal(value(samples, 'perdure_backlog', { queue: 'timers' }), 0);
  });
});
