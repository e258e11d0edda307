/**
 * @module perdure/store
 * For people who write a storage backend: the `Store` interface a host
 * runs on, the types it exchanges, and the contract suite every store must
 * pass. The suite runs on Node's test runner:
 *
 * @example
 * // my-store.test.mjs, run with `node --test`
 * import { describeStore } from 'perdure/store';
 * describeStore('my-store', async () => {
 *   const store = createMyStore();
 *   await store.migrate();
 *   return store;
 * });
 */
export type {
  ActivityCompletion,
  ActivityHeartbeat,
  ActivityHeartbeatStatus,
  ActivityOutcome,
  ActivityRequest,
  ActivityWorkItem,
  ChildStart,
  ClaimOptions,
  ClientMessage,
  CommitResult,
  ConflictPolicy,
  ExternalWork,
  InboxMessage,
  InstanceCounts,
  InstancePage,
  InstanceQuery,
  OrchestrationCommit,
  OrchestrationWorkItem,
  OutboundMessage,
  PurgeFilter,
  SendResult,
  StartRequest,
  StartResult,
  Store,
  StoreHealth,
} from './store.ts';
export type { HistoryEvent, InboxEvent } from '../model/history.ts';
export type { InstanceRecord } from '../model/instance.ts';
export type { RuntimeStatus } from '../model/runtime-status.ts';
export type { FailureDetails } from '../model/failure.ts';
export { openStore, type OpenStoreOptions } from './open-store.ts';
export { describeStore } from './contract/index.ts';
