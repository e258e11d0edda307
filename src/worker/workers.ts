/**
 * @module workers
 * A host's orchestration and activity workers, their claim loops, and how
 * they wake each other: a commit that queues activities wakes the activity
 * loop, an activity result or a sent message wakes the orchestration claims,
 * and the store's notifications wake whichever workers the work is for.
 *
 * What must hold: stop() hands nothing over any more, stops the activity
 * loop, lets running activities finish within the grace period (handing the
 * rest back), and only then stops the orchestration loop.
 */
import type { VersionPolicy } from './version-gate.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ExternalWork, Store } from '../store/store.ts';
import { ActivityWorker } from './activity-worker.ts';
import type { FunctionApp } from '../runtime/app.ts';
import type { Clock } from '../runtime/clock.ts';
import type { CompletionNotifier } from './completion-notifier.ts';
import type { HostTuning } from '../runtime/host-options.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Telemetry } from '../runtime/telemetry.ts';
import { OrchestrationWorker } from './orchestration-worker.ts';
import type { StartHandoff } from './start-handoff.ts';
import { createTurnGuard } from './turn-guard.ts';
import { UnrunnableWorkWarner, watchUnrunnableWork } from './unrunnable-work.ts';
import { WorkLoop } from './work-loop.ts';

export interface WorkerDeps {
  readonly app: FunctionApp;
  readonly tuning: HostTuning;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly completions: CompletionNotifier;
  readonly maxPayloadBytes: number;
  readonly telemetry?: Telemetry;
  /** Which instance versions the orchestration worker runs; absent: all. */
  readonly versioning?: VersionPolicy | undefined;
}

export function startWorkers({ app, tuning, store, clock, logger, completions, maxPayloadBytes, telemetry, versioning }: WorkerDeps) {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const loopOptions = (name: string) => ({
    name,
    clock,
    logger,
    idleMinMs: 10,
    idleMaxMs: tuning.maxPollIntervalMs,
    nextWakeAt: (now: number) => store.nextWakeAt(now),
  });
  // Claims take only work of this app's functions; what is left waiting for other hosts is warned about once per name.
  const warner = new UnrunnableWorkWarner(logger);
  const activities = new ActivityWorker({
    warner,
    store,
    app,
    clock,
    logger,
    owner,
    maxPayloadBytes,
    leaseMs: tuning.activities.leaseMs,
    concurrency: tuning.activities.concurrency,
    maxDeliveries: tuning.maxDeliveries,
    onCompleted: () => wakeClaims(),
    ...(telemetry ? { telemetry } : {}),
    onSlotFreed: () => activityLoop.wakeLatch.notify(),
  });
  const orchestrations = new OrchestrationWorker({
    store,
    app,
    clock,
    logger,
    owner,
    leaseMs: tuning.orchestrations.leaseMs,
    batchSize: tuning.orchestrations.batchSize,
    sessionCacheSize: tuning.orchestrations.sessionCacheSize,
    maxDeliveries: tuning.maxDeliveries,
    guard: createTurnGuard(tuning.orchestrations.turnBudgetMs),
    turnBudgetMs: tuning.orchestrations.turnBudgetMs,
    chaining: {
      activities,
      windowMs: tuning.orchestrations.inlineActivityWindowMs,
      maxTurns: tuning.orchestrations.maxChainedTurns,
      activityLeaseMs: tuning.activities.leaseMs,
    },
    onCommitted: ({ queuedActivities, sentMessages }) => {
      if (queuedActivities) activityLoop.wakeLatch.notify();
      if (sentMessages) wakeClaims();
    },
    // Waiters on an instance this worker holds need no poll; the release (after each commit) wakes them.
    holds: completions,
    warner,
    ...(telemetry ? { telemetry } : {}),
    ...(versioning ? { versioning } : {}),
  });
  // The workers' callbacks above refer to the loops; they run only inside a step, and no step runs before start() below.
  const orchestrationLoop = new WorkLoop(loopOptions('orchestration worker'), (poll) => orchestrations.step(poll));
  const activityLoop = new WorkLoop(loopOptions('activity worker'), () => activities.step());
  function wakeClaims() {
    orchestrations.claimsDue();
    orchestrationLoop.wakeLatch.notify();
  }
  const wake = () => {
    wakeClaims();
    activityLoop.wakeLatch.notify();
  };
  const handoff: StartHandoff = {
    lease: (now, name) => orchestrations.lease(now, name),
    accept: (item) => {
      orchestrations.accept(item);
      orchestrationLoop.wakeLatch.notify();
    },
  };
  const stopHeartbeat = startHeartbeat(activities, tuning.activities.leaseMs, logger);
  const onExternalWork = (work: ExternalWork) => {
    if (work.orchestrations) orchestrationLoop.wakeLatch.notify();
    if (work.activities) activityLoop.wakeLatch.notify();
  };
  const stopWatch = watchUnrunnableWork({ store, clock, names: () => app.runnableNames, warner, pollMs: tuning.maxPollIntervalMs });
  // A manual clock that moves may pass activity deadlines: look at once (real time has its own timer).
  const onAdvance = () => {
    wake();
    activities.checkDeadlines();
  };
  const unsubscribers = [store.onExternalWork?.(onExternalWork), clock.onAdvance?.(onAdvance), stopHeartbeat, stopWatch];
  orchestrationLoop.start();
  activityLoop.start();
  return {
    owner,
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

/** Renews running activities' leases every third of their length; returns the function that stops it. */
function startHeartbeat(activities: ActivityWorker, leaseMs: number, logger: Logger): () => void {
  const heartbeat = setInterval(
    () => {
      activities.renewLeases().catch((error) => logger.error('[perdure] could not renew activity leases', error));
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  heartbeat.unref();
  return () => clearInterval(heartbeat);
}
