/**
 * @module host
 * A host wires an app to a store: a durable client plus (unless turned off)
 * the orchestration and activity workers. Work committed by this host wakes
 * its own workers at once; work from other processes is seen through the
 * store's notifications or the idle poll.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigurationError } from '../model/errors.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../model/json.ts';
import { openStore } from '../store/open-store.ts';
import type { ExternalWork, Store } from '../store/store.ts';
import { ActivityWorker } from './activity-worker.ts';
import type { FunctionApp } from './app.ts';
import { DurableClient } from './client.ts';
import { validateHostTuning } from './host-options.ts';
import { systemClock, type Clock } from './clock.ts';
import { CompletionNotifier } from './completion-notifier.ts';
import { consoleLogger, type Logger } from './logger.ts';
import { OrchestrationWorker } from './orchestration-worker.ts';
import type { StartHandoff } from './start-handoff.ts';
import { WorkLoop } from './work-loop.ts';

/** How long a crashed host's claimed turn stays blocked before another host takes it over. */
export const DEFAULT_ORCHESTRATION_LEASE_MS = 15_000;
/** Renewed every third of its length while an activity runs, so it bounds recovery time, not activity duration. */
export const DEFAULT_ACTIVITY_LEASE_MS = 30_000;

export interface HostOptions {
  readonly app: FunctionApp;
  /** A store, or a URL: `sqlite:./.perdure/perdure.db`, `postgres://user@host/db`. */
  readonly store: Store | string;
  readonly clock?: Clock;
  readonly logger?: Logger;
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
  };
  readonly activities?: { readonly concurrency?: number; readonly leaseMs?: number };
  /** Longest idle sleep between claims when nothing wakes the host (default 1000 ms). */
  readonly maxPollIntervalMs?: number;
  /** How long stop() waits for running activities before handing them back (default 10 s). */
  readonly shutdownGraceMs?: number;
  readonly hostKey?: string;
  readonly maxPayloadBytes?: number;
}

export interface Host extends AsyncDisposable {
  readonly client: DurableClient;
  readonly store: Store;
  readonly app: FunctionApp;
  /** Looks for due work now (after moving a manual clock, for example). */
  wake(): void;
  /** Finishes in-flight turns, waits for or hands back running activities, and closes a store it opened. */
  stop(): Promise<void>;
}

export async function createHost(options: HostOptions): Promise<Host> {
  validateHostTuning(options as unknown as Record<string, unknown>);
  const ownsStore = typeof options.store === 'string';
  const store = typeof options.store === 'string' ? await openStore(options.store) : options.store;
  if (!store || typeof store.claimOrchestrations !== 'function') throw new ConfigurationError('store must be a Store or a store URL');
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const completions = new CompletionNotifier();
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const workers = options.workers === false ? undefined : startWorkers({ options, store, clock, logger, completions, maxPayloadBytes });
  const client = new DurableClient({
    store, clock, completions, app: options.app, maxPayloadBytes,
    // A client only ever queues inbox messages (starts, events, control): activities come from turns.
    onWork: () => workers?.wakeClaims(),
    ...(workers ? { handoff: workers.handoff } : {}),
    ...(options.hostKey ? { hostKey: options.hostKey } : {}),
  });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await workers?.stop(options.shutdownGraceMs ?? 10_000);
      if (ownsStore) await store.close();
    })());
  return { client, store, app: options.app, wake: () => workers?.wake(), stop, [Symbol.asyncDispose]: stop };
}

interface WorkerDeps {
  readonly options: HostOptions;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly completions: CompletionNotifier;
  readonly maxPayloadBytes: number;
}

function startWorkers({ options, store, clock, logger, completions, maxPayloadBytes }: WorkerDeps) {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const loopOptions = (name: string) => ({
    name, clock, logger, idleMinMs: 10, idleMaxMs: options.maxPollIntervalMs ?? 1_000,
    nextWakeAt: (now: number) => store.nextWakeAt(now),
  });
  let orchestrationLoop: WorkLoop | undefined;
  let activityLoop: WorkLoop | undefined;
  const activities = new ActivityWorker({
    store, app: options.app, clock, logger, owner, maxPayloadBytes,
    leaseMs: options.activities?.leaseMs ?? DEFAULT_ACTIVITY_LEASE_MS,
    concurrency: options.activities?.concurrency ?? 100,
    onCompleted: () => wakeClaims(),
    onSlotFreed: () => activityLoop?.signal.notify(),
  });
  const orchestrations = new OrchestrationWorker({
    store, app: options.app, clock, logger, owner,
    leaseMs: options.orchestrations?.leaseMs ?? DEFAULT_ORCHESTRATION_LEASE_MS,
    batchSize: options.orchestrations?.batchSize ?? 100,
    sessionCacheSize: options.orchestrations?.sessionCacheSize ?? 10_000,
    chaining: {
      activities,
      windowMs: options.orchestrations?.inlineActivityWindowMs ?? 20,
      maxTurns: options.orchestrations?.maxChainedTurns ?? 64,
      activityLeaseMs: options.activities?.leaseMs ?? DEFAULT_ACTIVITY_LEASE_MS,
    },
    onCommitted: ({ queuedActivities, sentMessages }) => {
      if (queuedActivities) activityLoop?.signal.notify();
      if (sentMessages) wakeClaims();
    },
    // Waiters on an instance this worker holds need no poll; the release (after each commit) wakes them.
    holds: completions,
  });
  orchestrationLoop = new WorkLoop(loopOptions('orchestration worker'), (poll) => orchestrations.step(poll));
  activityLoop = new WorkLoop(loopOptions('activity worker'), () => activities.step());
  function wakeClaims() {
    orchestrations.claimsDue();
    orchestrationLoop?.signal.notify();
  }
  const wake = () => {
    wakeClaims();
    activityLoop?.signal.notify();
  };
  const handoff: StartHandoff = {
    lease: (now) => orchestrations.lease(now),
    accept: (item) => {
      orchestrations.accept(item);
      orchestrationLoop?.signal.notify();
    },
  };
  const activityLeaseMs = options.activities?.leaseMs ?? DEFAULT_ACTIVITY_LEASE_MS;
  const heartbeat = setInterval(() => {
    activities.renewLeases().catch((error) => logger.error('[perdure] could not renew activity leases', error));
  }, Math.max(50, Math.floor(activityLeaseMs / 3)));
  heartbeat.unref();
  const onExternalWork = (work: ExternalWork) => {
    if (work.orchestrations) orchestrationLoop?.signal.notify();
    if (work.activities) activityLoop?.signal.notify();
  };
  const unsubscribers = [store.onExternalWork?.(onExternalWork), clock.onAdvance?.(wake), () => clearInterval(heartbeat)];
  orchestrationLoop.start();
  activityLoop.start();
  return {
    wake,
    wakeClaims,
    handoff,
    async stop(graceMs: number) {
      orchestrations.close();
      for (const unsubscribe of unsubscribers) unsubscribe?.();
      await activityLoop.stop();
      await activities.drain(graceMs);
      await orchestrationLoop.stop();
    },
  };
}
