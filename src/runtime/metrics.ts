/**
 * @module metrics
 * A host's metrics: Prometheus text through its own prom-client registry
 * (never the global one, so two hosts in one process do not collide), and
 * the same figures through `@opentelemetry/api` metrics when an SDK's meter
 * provider is registered when the host starts.
 *
 * What must hold:
 * - Recording is cheap enough for the turn and commit paths: labelled
 *   children are looked up once per label value and kept; without a meter
 *   provider nothing is mirrored.
 * - Gauges that need the store (instances by status) are read only when
 *   someone collects, through callbacks the host is given; a failed
 *   callback leaves the gauge empty rather than failing the scrape.
 */
import type * as OtelApi from '@opentelemetry/api';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

type Otel = typeof OtelApi;

/** Reads figures that live in the store; called on each scrape. */
export type CountsCallback = () => Promise<Readonly<Record<string, number>>>;

export interface MetricsOptions {
  /** Instances by runtime status, for `perdure_instances{status}`; must not scan tables. */
  readonly instanceCounts?: CountsCallback;
  /** Ready work by queue (`orchestrations`, `activities`, `timers`), for `perdure_backlog{queue}`. */
  readonly backlog?: CountsCallback;
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LONG_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 14_400, 86_400];

/** Histograms mirrored to OpenTelemetry when a meter is given (counters are read at collection, see attachOpenTelemetry). */
interface Mirror {
  /** `label` is the one label's name, `value` its value (none for an unlabelled histogram). */
  histogram(name: string, seconds: number, label?: string, value?: string): void;
}

/**
 * Records on OpenTelemetry histograms with attribute objects made once per
 * label value, in the root context: the SDK then neither reads the active
 * context nor gets a new object to hash on every record.
 */
function mirrorOn(otel: Otel, meter: OtelApi.Meter): Mirror {
  const histograms = new Map<string, { histogram: OtelApi.Histogram; attributes: Map<string, OtelApi.Attributes> }>();
  const none: OtelApi.Attributes = {};
  return {
    histogram: (name, seconds, label, value) => {
      let entry = histograms.get(name);
      if (!entry) histograms.set(name, (entry = { histogram: meter.createHistogram(name, { unit: 's' }), attributes: new Map() }));
      let attributes = none;
      if (label !== undefined && value !== undefined) {
        attributes = entry.attributes.get(value) ?? none;
        if (attributes === none) entry.attributes.set(value, (attributes = { [label]: value }));
      }
      entry.histogram.record(seconds, attributes, otel.ROOT_CONTEXT);
    },
  };
}

export class HostMetrics {
  readonly registry = new Registry();
  readonly #started: Counter<'name'>;
  readonly #completed: Counter<'name' | 'status'>;
  readonly #duration: Histogram<'name'>;
  readonly #activities: Counter<'name' | 'outcome'>;
  readonly #activitySeconds: Histogram<'name'>;
  readonly #turnSeconds: Histogram;
  readonly #commitSeconds: Histogram<'kind'>;
  readonly #entityOperations: Counter<'name' | 'outcome'>;
  readonly #entitySeconds: Histogram<'name'>;
  readonly #leaseLost: Counter;
  readonly #conflicts: Counter<'name'>;
  readonly #children = new Map<string, { inc(): void } | { observe(v: number): void }>();
  #mirror: Mirror | undefined;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.#started = new Counter({
      name: 'perdure_orchestrations_started_total',
      help: 'Orchestrations started (children included)',
      labelNames: ['name'],
      registers,
    });
    this.#completed = new Counter({
      name: 'perdure_orchestrations_completed_total',
      help: 'Orchestration executions that ended, by final status',
      labelNames: ['name', 'status'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'perdure_orchestration_duration_seconds',
      help: 'Start to end of an orchestration execution',
      labelNames: ['name'],
      buckets: LONG_SECONDS,
      registers,
    });
    this.#activities = new Counter({
      name: 'perdure_activity_executions_total',
      help: 'Activity runs, by outcome (completed, failed)',
      labelNames: ['name', 'outcome'],
      registers,
    });
    this.#activitySeconds = new Histogram({
      name: 'perdure_activity_duration_seconds',
      help: 'Duration of one activity run',
      labelNames: ['name'],
      buckets: SECONDS,
      registers,
    });
    this.#turnSeconds = new Histogram({
      name: 'perdure_turn_duration_seconds',
      help: 'Running one orchestration turn (or chain of turns), replay included',
      buckets: SECONDS,
      registers,
    });
    this.#commitSeconds = new Histogram({
      name: 'perdure_store_commit_seconds',
      help: 'One store commit of turns or activity results',
      labelNames: ['kind'],
      buckets: SECONDS,
      registers,
    });
    this.#entityOperations = new Counter({
      name: 'perdure_entity_operations_total',
      help: 'Entity operations run (calls and signals), by entity name and outcome (completed, failed)',
      labelNames: ['name', 'outcome'],
      registers,
    });
    this.#entitySeconds = new Histogram({
      name: 'perdure_entity_operation_duration_seconds',
      help: 'Duration of one entity operation',
      labelNames: ['name'],
      buckets: SECONDS,
      registers,
    });
    this.#leaseLost = new Counter({
      name: 'perdure_lease_lost_total',
      help: 'Turns discarded or activities aborted because their lease was taken over',
      registers,
    });
    this.#conflicts = new Counter({
      name: 'perdure_singleton_conflicts_total',
      help: 'Starts refused because a live instance had the ID',
      labelNames: ['name'],
      registers,
    });
    if (options.instanceCounts) this.#gauge('perdure_instances', 'Instances by runtime status', 'status', options.instanceCounts);
    if (options.backlog) this.#gauge('perdure_backlog', 'Ready work by queue', 'queue', options.backlog);
  }

  /** Mirrors every figure to OpenTelemetry if an SDK's meter provider is registered now. */
  attachOpenTelemetry(otel: Otel, options: MetricsOptions = {}): void {
    const meter = otel.metrics.getMeter('perdure');
    if (meter === otel.createNoopMeter()) return;
    // Counters cost the hot path nothing: OpenTelemetry reads prom-client's totals when it collects.
    for (const [name, counter] of [
      ['perdure.orchestrations.started', this.#started],
      ['perdure.orchestrations.completed', this.#completed],
      ['perdure.activity.executions', this.#activities],
      ['perdure.entity.operations', this.#entityOperations],
      ['perdure.lease_lost', this.#leaseLost],
      ['perdure.singleton_conflicts', this.#conflicts],
    ] as const) {
      meter.createObservableCounter(name).addCallback(async (result) => {
        for (const { value, labels } of (await (counter as Counter<string>).get()).values) result.observe(value, labels);
      });
    }
    this.#mirror = mirrorOn(otel, meter);
    for (const [name, key, callback] of [
      ['perdure.instances', 'status', options.instanceCounts],
      ['perdure.backlog', 'queue', options.backlog],
    ] as const) {
      if (!callback) continue;
      meter.createObservableGauge(name).addCallback(async (result) => {
        const counts = await callback().catch(() => ({}));
        for (const [label, value] of Object.entries(counts)) result.observe(value, { [key]: label });
      });
    }
  }

  orchestrationStarted(name: string): void {
    this.#inc(this.#started, 'started', name);
  }

  orchestrationEnded(name: string, status: string, seconds: number | undefined): void {
    this.#completed.inc({ name, status });
    if (seconds === undefined) return;
    this.#observe(this.#duration, 'duration', name, seconds);
    this.#mirror?.histogram('perdure.orchestration.duration', seconds, 'name', name);
  }

  activityRan(name: string, outcome: 'completed' | 'failed', seconds: number): void {
    this.#inc(this.#activities, outcome, name, outcome);
    this.#observe(this.#activitySeconds, 'activity', name, seconds);
    this.#mirror?.histogram('perdure.activity.duration', seconds, 'name', name);
  }

  /** Counted when the entity's batch is committed, like activity runs are when they finish. */
  entityOperationRan(name: string, outcome: 'completed' | 'failed', seconds: number): void {
    this.#inc(this.#entityOperations, `entity-${outcome}`, name, outcome);
    this.#observe(this.#entitySeconds, 'entity', name, seconds);
    this.#mirror?.histogram('perdure.entity.operation.duration', seconds, 'name', name);
  }

  turnRan(seconds: number): void {
    this.#turnSeconds.observe(seconds);
    this.#mirror?.histogram('perdure.turn.duration', seconds);
  }

  committed(kind: 'orchestrations' | 'activities', seconds: number): void {
    this.#observe(this.#commitSeconds, 'commit', kind, seconds);
    this.#mirror?.histogram('perdure.store.commit', seconds, 'kind', kind);
  }

  leaseLost(): void {
    this.#leaseLost.inc();
  }

  singletonConflict(name: string): void {
    this.#conflicts.inc({ name });
  }

  /** The Prometheus text exposition of this host's metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #inc(counter: Counter<string>, kind: string, ...labels: string[]): void {
    const key = `${kind}\u0000${labels.join('\u0000')}`;
    let child = this.#children.get(key) as { inc(): void } | undefined;
    if (!child) this.#children.set(key, (child = counter.labels(...labels)));
    child.inc();
  }

  #observe(histogram: Histogram<string>, kind: string, label: string, value: number): void {
    const key = `${kind}\u0000${label}`;
    let child = this.#children.get(key) as { observe(v: number): void } | undefined;
    if (!child) this.#children.set(key, (child = histogram.labels(label)));
    child.observe(value);
  }

  #gauge(name: string, help: string, label: string, callback: CountsCallback): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      async collect() {
        this.reset();
        const counts = await callback().catch(() => ({}));
        for (const [value, count] of Object.entries(counts)) this.set({ [label]: value }, count);
      },
    });
  }
}
