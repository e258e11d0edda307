/**
 * @module cli/engine-protocol
 * The messages between `perdure start`'s main thread and its engine thread
 * (decision 0038), and what the thread is started with.
 *
 * What must hold: every message is structured-cloneable plain data; the
 * port is ordered, so a start's first turn posted after a wake-up is seen
 * after it, and the engine's release of an instance after its hold.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { HostKeys } from '../runtime/keys.ts';
import type { OrchestrationWorkItem } from '../store/store.ts';
import type { Settings } from './config.ts';
import type { OpenStoreOptions } from '../store/open-store.ts';

/** `workerData` of the engine thread: everything it needs to load the same app and open the same store. */
export interface EngineData {
  readonly appModule: string;
  /** Set when the app is an Azure Functions app folder (cli/functions-app.ts). */
  readonly functionsDir?: string;
  readonly store: string;
  readonly hostTuning: Settings['hostTuning'];
  readonly keys?: HostKeys;
  readonly showStackPaths: boolean;
  /** Resolved on the main thread: a worker thread's stderr is never a terminal. */
  readonly log: { readonly logFormat: 'json' | 'pretty'; readonly logLevel?: string };
  /** A SQLite store's write lock, shared with the main thread's connection (sqlite/thread-write-lock.ts). */
  readonly sqliteWriteLock?: Int32Array;
}

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export type ToEngine =
  | { readonly type: 'wake'; readonly claims: boolean; readonly schedules: boolean }
  | { readonly type: 'accept'; readonly item: OrchestrationWorkItem }
  | { readonly type: 'origin'; readonly origin: string }
  | { readonly type: 'metrics'; readonly id: number }
  | { readonly type: 'stop' };

/** Hold (1) or release (0) of an instance by the engine's orchestration worker (completion-notifier.ts). */
export type HoldOp = readonly [instanceId: string, held: 0 | 1];

export type FromEngine =
  | { readonly type: 'ready'; readonly owner: string; readonly leaseMs: number }
  | { readonly type: 'failed'; readonly message: string; readonly usage: boolean; readonly stack?: string }
  | { readonly type: 'holds'; readonly ops: readonly HoldOp[] }
  | { readonly type: 'metrics'; readonly id: number; readonly json: MetricsJson }
  | { readonly type: 'stopped' };

/** createHost's store options for a thread of a `perdure start` process: the shared SQLite write lock, if any. */
export function storeOptionsFor(sqliteWriteLock: Int32Array | undefined): { storeOptions?: OpenStoreOptions } {
  return sqliteWriteLock ? { storeOptions: { sqlite: { threadWriteLock: sqliteWriteLock } } } : {};
}
