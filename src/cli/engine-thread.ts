/**
 * @module cli/engine-thread
 * The engine thread of `perdure start` (decision 0038): a worker thread that
 * loads the same app module (or Azure Functions folder), opens the same
 * store and runs the host's workers, schedules and retention, so orchestrator
 * and activity code never runs on the thread that serves HTTP and health.
 *
 * What must hold:
 * - It says `ready` (with its lease owner) only once its host runs, or
 *   `failed` with the reason; nothing else is posted before either.
 * - Every hold and release of an instance by its orchestration worker is
 *   posted to the main thread, in order, batched per microtask, so waiters
 *   there wake on its commits as they would in one thread.
 * - On `stop` it stops its host (in-flight turns finish, running activities
 *   are handed back after the grace period), then posts `stopped`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { registerTimerSchedules } from '../azure-functions/timer-schedules.ts';
import { createHost, type Host } from '../runtime/host.ts';
import { CompletionNotifier, type LocalWorkers } from '../runtime/remote-workers.ts';
import { CliError } from './cli-error.ts';
import { storeOptionsFor, type EngineData, type FromEngine, type HoldOp, type ToEngine } from './engine-protocol.ts';
import { loadFunctionsApp } from './functions-app.ts';
import { loadApp } from './load-app.ts';
import { loggerFromFlags } from './log-options.ts';

/** A notifier whose holds and releases are also posted to the main thread's notifier. */
class MirroredCompletions extends CompletionNotifier {
  #ops: HoldOp[] = [];

  constructor(private readonly port: MessagePort) {
    super();
  }

  override hold(instanceId: string): void {
    super.hold(instanceId);
    this.#post([instanceId, 1]);
  }

  override release(instanceId: string): void {
    super.release(instanceId);
    this.#post([instanceId, 0]);
  }

  #post(op: HoldOp): void {
    // One message per burst of turns (a claimed batch, a chain): a message costs more than a turn's bookkeeping.
    if (this.#ops.push(op) === 1) {
      queueMicrotask(() => {
        const ops = this.#ops;
        this.#ops = [];
        send(this.port, { type: 'holds', ops });
      });
    }
  }
}

function send(port: MessagePort, message: FromEngine): void {
  port.postMessage(message);
}

async function runEngine(port: MessagePort, data: EngineData): Promise<void> {
  const logger = loggerFromFlags(data.log);
  const functions = data.functionsDir === undefined ? undefined : await loadFunctionsApp(data.functionsDir);
  const app = functions?.app ?? (await loadApp(data.appModule));
  const served: { host?: Host; origin: string } = { origin: '' };
  // Timer functions run as activities here; their client is this thread's, their origin the main thread's server.
  if (functions) registerTimerSchedules(app, functions.timers, { client: () => served.host!.client, origin: () => served.origin, logger });
  let workers: LocalWorkers | undefined;
  const { hostTuning, keys, showStackPaths, store } = data;
  const options = { app, store, ...hostTuning, workers: true, ...(keys ? { keys } : {}), showStackPaths, logger };
  const host = await createHost(options, {
    completions: new MirroredCompletions(port),
    onWorkers: (w) => (workers = w),
    ...storeOptionsFor(data.sqliteWriteLock),
  });
  served.host = host;
  const local = workers!;
  port.on('message', (message: ToEngine) => {
    switch (message.type) {
      case 'wake':
        if (message.claims) local.wakeClaims();
        if (message.schedules) local.wakeSchedules();
        return;
      case 'accept':
        return local.accept(message.item);
      case 'origin':
        served.origin = message.origin;
        return;
      case 'metrics':
        void host.metrics.registry.getMetricsAsJSON().then((json) => send(port, { type: 'metrics', id: message.id, json }));
        return;
      case 'stop':
        void host.stop().then(
          () => {
            send(port, { type: 'stopped' });
            port.close();
          },
          (error: unknown) => {
            logger.error('[perdure] the engine thread could not stop cleanly', error);
            send(port, { type: 'stopped' });
            port.close();
          },
        );
    }
  });
  send(port, { type: 'ready', owner: local.owner, leaseMs: local.leaseMs });
}

const port = parentPort;
if (port) {
  runEngine(port, workerData as EngineData).catch((error: unknown) => {
    const stack = error instanceof CliError ? undefined : (error as Error)?.stack;
    const message = error instanceof Error ? error.message : String(error);
    send(port, { type: 'failed', message, usage: error instanceof CliError, ...(stack ? { stack } : {}) });
    port.close();
  });
}
