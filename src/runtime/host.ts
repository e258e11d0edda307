/**
 * @module host
 * A host wires an app to a store: a durable client plus (unless turned off)
 * the orchestration and activity workers. Work committed by this host wakes
 * its own workers at once; work from other processes is seen through the
 * store's notifications or the idle poll.
 */
import { resolveVersioning, type VersioningOptions } from './versioning-options.ts';
import { ConfigurationError } from '../model/errors.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../model/json.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import type { FunctionApp } from './app.ts';
import { DurableClient } from '../client/client.ts';
import { ScheduleRunner } from '../client/schedule-runner.ts';
import { validateScheduleOptions } from '../client/schedule-spec.ts';
import { validateHostTuning, withDefaults } from './host-options.ts';
import { systemClock, type Clock } from './clock.ts';
import { CompletionNotifier } from '../worker/completion-notifier.ts';
import type { Logger } from './logger.ts';
import { HostMetrics, type MetricsOptions } from './metrics.ts';
import { createPinoLogger } from './pino-logger.ts';
import { Telemetry } from './telemetry.ts';
import { loadOpenTelemetry, Tracing } from './tracing.ts';
import { managementKeyOf, resolveKeys, type HostKeys, type ResolvedKeys } from './keys.ts';
import { startWorkers } from '../worker/workers.ts';
import type { HostWiring } from './remote-workers.ts';
import { startRetention, type RetentionPolicy } from '../worker/retention.ts';

export { DEFAULT_ACTIVITY_LEASE_MS, DEFAULT_ORCHESTRATION_LEASE_MS } from './host-options.ts';

export interface HostOptions extends VersioningOptions {
  readonly app: FunctionApp;
  /** A store, or a URL: `sqlite:./.perdure/perdure.db`, `postgres://user@host/db`. */
  readonly store: Store | string;
  readonly clock?: Clock;
  /** Default: pino, JSON on stderr (pretty on a terminal), level `PERDURE_LOG_LEVEL` or `info`. */
  readonly logger?: Logger;
  /** Callbacks for the metrics that are read from the store on each scrape (docs/observability.md). */
  readonly metrics?: MetricsOptions;
  /** Run workers in this host (default true). A client-only host just starts and queries. */
  readonly workers?: boolean;
  readonly orchestrations?: {
    readonly batchSize?: number;
    readonly leaseMs?: number;
    readonly sessionCacheSize?: number;
    /** Turn chaining: how long a turn waits for this host's activities to finish inline (default 20 ms; 0 turns chaining off). */
    readonly inlineActivityWindowMs?: number;
    /** The most turns chained into one commit (default 64). */
    readonly maxChainedTurns?: number;
    /** How long an orchestrator may run in one turn without yielding before it is stopped (default 1000 ms). */
    readonly turnBudgetMs?: number;
  };
  readonly activities?: { readonly concurrency?: number; readonly leaseMs?: number };
  /** Longest idle sleep between claims when nothing wakes the host (default 1000 ms). */
  readonly maxPollIntervalMs?: number;
  /** How long stop() waits for running activities before handing them back (default 10 s). */
  readonly shutdownGraceMs?: number;
  /**
   * Deliveries of one orchestration turn or activity that may end without a
   * result (the process died, the lease expired, the turn overran its budget)
   * before the work is poisoned and its instance fails (default 5).
   */
  readonly maxDeliveries?: number;
  /** Master, system and function keys (runtime/keys); the HTTP layer enforces them, check-status URLs may carry one. */
  readonly keys?: HostKeys;
  /** The master key under its old name (before keys had kinds). */
  readonly hostKey?: string;
  readonly maxPayloadBytes?: number;
  /** Keep absolute file paths in failure stacks served over HTTP (default false: only file names). */
  readonly showStackPaths?: boolean;
  /**
   * Purge finished instances this long (ms) after they finished, per status, in the background
   * (default: keep forever). `{ completed: 7 * 86_400_000, failed: 30 * 86_400_000 }`.
   */
  readonly retention?: RetentionPolicy;
}

export interface Host extends AsyncDisposable {
  readonly client: DurableClient;
  readonly store: Store;
  readonly app: FunctionApp;
  /** The keys, checked; the HTTP layer uses them unless it is given others. */
  readonly keys: ResolvedKeys;
  /** This host's metrics (its own prom-client registry), served at `/metrics` by the HTTP layer. */
  readonly metrics: HostMetrics;
  readonly logger: Logger;
  /** Looks for due work now (after moving a manual clock, for example). */
  wake(): void;
  /** Fires due schedules now and resolves when done (hosts with workers; a no-op otherwise). */
  tickSchedules(): Promise<void>;
  /** Finishes in-flight turns, waits for or hands back running activities, and closes a store it opened. */
  stop(): Promise<void>;
}

/** `wiring` is internal (runtime/remote-workers.ts): `perdure start` uses it to run the workers in an engine thread. */
export async function createHost(options: HostOptions, wiring: HostWiring = {}): Promise<Host> {
  validateHostTuning(options as unknown as Record<string, unknown>);
  const remote = wiring.remoteWorkers;
  if (remote && options.workers !== false) throw new ConfigurationError('remote workers need a host with workers: false');
  const keys = resolveKeys(options.keys, options.hostKey);
  const managementKey = managementKeyOf(keys);
  const ownsStore = typeof options.store === 'string';
  const store = typeof options.store === 'string' ? await openStore(options.store, wiring.storeOptions) : options.store;
  if (!store || typeof store.claimOrchestrations !== 'function') throw new ConfigurationError('store must be a Store or a store URL');
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createPinoLogger();
  const telemetry = await createTelemetry(options.metrics, { clock, store, logger });
  const completions = wiring.completions ?? new CompletionNotifier();
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const tuning = withDefaults(options);
  const versioning = resolveVersioning(options);
  // Declared schedules are checked before anything starts, so a bad one leaves no worker running.
  for (const [, schedule] of options.app.schedules) validateScheduleOptions(schedule, maxPayloadBytes);
  const workers =
    options.workers === false
      ? undefined
      : startWorkers({
          app: options.app,
          tuning,
          store,
          clock,
          logger,
          completions,
          maxPayloadBytes,
          telemetry,
          versioning: versioning.policy,
        });
  const client = new DurableClient({
    store,
    clock,
    completions,
    app: options.app,
    maxPayloadBytes,
    ...(versioning.defaultVersion === undefined ? {} : { defaultVersion: versioning.defaultVersion }),
    // A client only ever queues inbox messages (starts, events, control): activities come from turns.
    onWork: remote ? () => remote.wakeClaims() : () => workers?.wakeClaims(),
    observer: telemetry,
    ...(workers ? { handoff: workers.handoff } : remote?.handoff ? { handoff: remote.handoff } : {}),
    ...(managementKey === undefined ? {} : { managementKey }),
    ...(options.showStackPaths === true ? { showStackPaths: true } : {}),
    onScheduleChange: remote ? () => remote.wakeSchedules() : () => scheduler?.wake(),
  });
  // Schedules fire on hosts that run the app's workers.
  const scheduler = workers ? new ScheduleRunner({ store, client, clock, logger, maxPayloadBytes }) : undefined;
  if (scheduler) {
    try {
      await scheduler.declare(options.app.schedules);
    } catch (error) {
      await workers?.stop(0);
      if (ownsStore) await store.close();
      throw error;
    }
    scheduler.start();
  }
  if (workers) {
    const leaseMs = tuning.orchestrations.leaseMs;
    const { owner, handoff } = workers;
    wiring.onWorkers?.({
      owner,
      leaseMs,
      wakeClaims: workers.wakeClaims,
      wakeSchedules: () => scheduler?.wake(),
      accept: (item) => handoff.accept(item),
    });
  }
  const stopRetention = options.retention === undefined ? undefined : startRetention({ store, clock, logger, policy: options.retention });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      client.interruptWaits();
      await stopRetention?.();
      await scheduler?.stop();
      await workers?.stop(tuning.shutdownGraceMs);
      if (ownsStore) await store.close();
    })());
  const { metrics } = telemetry;
  return {
    client,
    store,
    app: options.app,
    keys,
    metrics,
    logger,
    wake: () => {
      workers?.wake();
      scheduler?.wake();
    },
    tickSchedules: async () => scheduler?.tick(),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Metrics always; spans and the OpenTelemetry mirror of the metrics when `@opentelemetry/api` is installed. */
async function createTelemetry(
  given: MetricsOptions | undefined,
  deps: { clock: Clock; store: Store; logger: Logger },
): Promise<Telemetry> {
  const otel = await loadOpenTelemetry();
  const { store, clock } = deps;
  // The backlog is the store's to count, when it can; a callback given to the host wins.
  const counted = store.countBacklog ? async () => ({ ...(await store.countBacklog!(clock.now())) }) : undefined;
  const backlog = given?.backlog ?? counted;
  // Counts by status are kept by the store (counters, decision 0023): a scrape never scans the instances.
  const instanceCounts = given?.instanceCounts ?? (() => store.countInstancesByStatus());
  const options: MetricsOptions = { ...given, instanceCounts, ...(backlog ? { backlog } : {}) };
  const metrics = new HostMetrics(options);
  if (otel) metrics.attachOpenTelemetry(otel, options);
  return new Telemetry({ metrics, tracing: otel ? new Tracing(otel) : undefined, ...deps });
}
