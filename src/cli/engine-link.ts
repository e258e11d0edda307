/**
 * @module cli/engine-link
 * The main thread's side of `perdure start`'s engine thread (decision
 * 0038): starts the thread, and gives the client-only host on this thread
 * the wiring through which its starts, events and control messages wake the
 * engine at once, its starts' first turns go to the engine's worker without
 * a claim, and its waiters wake on the engine's commits.
 *
 * What must hold:
 * - Wake-ups are coalesced per microtask and never wait for the engine; a
 *   start is leased to the engine only while it runs and is not stopping
 *   (a late work item is handed back by the engine's worker itself).
 * - The engine's holds are mirrored on this thread's CompletionNotifier in
 *   the order they were made, so a release always wakes the waiters here.
 * - stop() asks the engine to stop and waits for it at most `graceMs`, then
 *   terminates the thread; it never rejects.
 * - An engine that exits without being asked to is reported through
 *   `onDeath` exactly once.
 */
import { Worker } from 'node:worker_threads';
import type { FunctionApp } from '../runtime/app.ts';
import type { Logger } from '../runtime/logger.ts';
import { CompletionNotifier, type RemoteWorkers } from '../runtime/remote-workers.ts';
import { CliError } from './cli-error.ts';
import { engineBootstrap, nodeOptions } from './engine-bootstrap.ts';
import type { EngineData, FromEngine, MetricsJson, ToEngine } from './engine-protocol.ts';

export interface EngineLink {
  /** Starts the thread; resolves once its host runs, rejects with its startup failure. */
  start(): Promise<void>;
  readonly remote: RemoteWorkers;
  readonly completions: CompletionNotifier;
  setOrigin(origin: string): void;
  /** The engine's metrics as prom-client JSON; rejects if it does not answer within `timeoutMs`. */
  metrics(timeoutMs: number): Promise<MetricsJson>;
  stop(graceMs: number): Promise<void>;
}

export interface EngineLinkOptions {
  readonly data: EngineData;
  /** This thread's copy of the app: a start is leased to the engine only for an orchestration it registers. */
  readonly app: FunctionApp;
  readonly logger: Logger;
  /** The engine exited (crashed, or its code called process.exit) without being asked to stop. */
  readonly onDeath: (reason: string) => void;
}

/** The engine thread, through a bootstrap that first runs this process's `--import` preloads there (cli/engine-bootstrap.ts). */
function spawnEngine(workerData: EngineData): Worker {
  const engine = new URL(import.meta.url.endsWith('.ts') ? './engine-thread.ts' : './engine-thread.js', import.meta.url).href;
  return new Worker(engineBootstrap(engine, nodeOptions(process.env, process.execArgv), process.cwd()), { eval: true, workerData });
}

/**
 * The link, before the thread runs: the main thread's host is created with
 * its wiring first (it opens and migrates the store), then start() spawns
 * the engine, which opens the store a second time.
 */
export function createEngineLink(options: EngineLinkOptions): EngineLink {
  let worker: Worker | undefined;
  const post = (message: ToEngine) => worker?.postMessage(message);
  const completions = new CompletionNotifier();
  const metricsWaiters = new Map<number, (json: MetricsJson) => void>();
  let nextMetricsId = 0;
  let state: 'starting' | 'running' | 'stopping' | 'exited' = 'starting';
  let stopped: () => void = () => {};
  const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
  let owner = '';
  let leaseMs = 0;
  const spawn = () =>
    new Promise<void>((resolve, reject) => {
      worker = spawnEngine(options.data);
      worker.on('message', (message: FromEngine) => {
        switch (message.type) {
          case 'ready':
            ({ owner, leaseMs } = message);
            state = 'running';
            return resolve();
          case 'failed':
            return reject(
              message.usage ? new CliError(message.message) : Object.assign(new Error(message.message), { stack: message.stack }),
            );
          case 'holds':
            for (const [instanceId, held] of message.ops) {
              if (held === 1) completions.hold(instanceId);
              else completions.release(instanceId);
            }
            return;
          case 'metrics':
            metricsWaiters.get(message.id)?.(message.json);
            metricsWaiters.delete(message.id);
            return;
          case 'stopped':
            return stopped();
        }
      });
      worker.on('error', (error) => {
        options.logger.error('[perdure] the engine thread failed', error);
        reject(error);
      });
      worker.on('exit', (code) => {
        const was = state;
        state = 'exited';
        stopped();
        reject(new Error(`the engine thread exited with code ${code} while starting`));
        if (was === 'running') options.onDeath(`the engine thread exited unexpectedly (code ${code})`);
      });
    });
  let wake: { claims: boolean; schedules: boolean } | undefined;
  const wakeEngine = (kind: 'claims' | 'schedules') => {
    if (!wake) {
      wake = { claims: false, schedules: false };
      queueMicrotask(() => {
        if (state === 'running') post({ type: 'wake', ...wake! });
        wake = undefined;
      });
    }
    wake[kind] = true;
  };
  const remote: RemoteWorkers = {
    wakeClaims: () => wakeEngine('claims'),
    wakeSchedules: () => wakeEngine('schedules'),
    handoff: {
      lease: (now, name) => (state === 'running' && options.app.getOrchestration(name) ? { owner, expiresAt: now + leaseMs } : undefined),
      accept: (item) => {
        // Leased to the engine in the start's transaction: if it is gone, the lease expires and any host claims it.
        if (state === 'running' || state === 'stopping') post({ type: 'accept', item });
      },
    },
  };
  return {
    start: spawn,
    remote,
    completions,
    setOrigin: (origin) => post({ type: 'origin', origin }),
    metrics: (timeoutMs) =>
      new Promise<MetricsJson>((resolve, reject) => {
        if (state !== 'running') return reject(new Error('the engine thread is not running'));
        const id = nextMetricsId++;
        const timer = setTimeout(() => {
          metricsWaiters.delete(id);
          reject(new Error(`the engine thread did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        metricsWaiters.set(id, (json) => {
          clearTimeout(timer);
          resolve(json);
        });
        post({ type: 'metrics', id });
      }),
    async stop(graceMs) {
      if (!worker || state === 'exited') return;
      // An engine that never said ready (its start failed) has nothing to finish.
      if (state === 'starting') return void (await worker.terminate());
      state = 'stopping';
      post({ type: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
      const outcome = await Promise.race([whenStopped.then(() => 'stopped' as const), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') options.logger.error(`[perdure] the engine thread did not stop within ${graceMs} ms; terminating it`);
      await worker.terminate();
    },
  };
}
