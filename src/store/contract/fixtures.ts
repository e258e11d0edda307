/**
 * @module test/store/contract/fixtures
 * Builders and small drivers shared by the store contract suite. They use the
 * Store interface only, so every implementation runs the same suite.
 *
 * What must hold: each test gets a fresh, migrated store (useFreshStore), and
 * times are fixed epoch milliseconds, never the wall clock.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach } from 'node:test';
import type { EventRaisedEvent, HistoryEvent, InboxEvent } from '../../model/history.ts';
import type { RuntimeStatus } from '../../model/runtime-status.ts';
import type { OrchestrationCommit, OrchestrationWorkItem, StartRequest, Store } from '../store.ts';

export const T0 = Date.UTC(2024, 0, 1);
export const LEASE_MS = 30_000;

export interface StoreHarness {
  /** The current test's store. */
  readonly store: Store;
}

/** Registers hooks that give every test in the enclosing describe its own store. */
export function useFreshStore(makeStore: () => Promise<Store>): StoreHarness {
  let current: Store | undefined;
  beforeEach(async () => {
    current = await makeStore();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get store() {
      assert.ok(current, 'store is only available inside a test');
      return current;
    },
  };
}

let executionCounter = 0;
export function newExecutionId(): string {
  executionCounter += 1;
  return `exec-${executionCounter}`;
}

export function startRequest(instanceId: string, overrides: Partial<StartRequest> = {}): StartRequest {
  return {
    instanceId,
    name: 'Orchestrator',
    executionId: newExecutionId(),
    input: { n: 1 },
    onConflict: 'reject',
    reuseStatuses: [],
    now: T0,
    ...overrides,
  };
}

export function raised(name: string, input?: unknown, now = T0): EventRaisedEvent {
  return { type: 'EventRaised', timestamp: new Date(now).toISOString(), name, ...(input === undefined ? {} : { input }) };
}

export function control(type: 'ExecutionSuspended' | 'ExecutionResumed' | 'ExecutionTerminated', now = T0): InboxEvent {
  return { type, timestamp: new Date(now).toISOString() };
}

export function orchestratorStarted(now = T0): HistoryEvent {
  return { type: 'OrchestratorStarted', timestamp: new Date(now).toISOString() };
}

/** A commit that consumes every message of the item and changes nothing else unless overridden. */
export function commitFor(item: OrchestrationWorkItem, overrides: Partial<OrchestrationCommit> = {}): OrchestrationCommit {
  return {
    instanceId: item.instanceId,
    executionId: item.executionId,
    leaseToken: item.leaseToken,
    consumedMessageIds: item.messages.map((message) => message.id),
    newEvents: [],
    runtimeStatus: 'Running',
    activities: [],
    messages: [],
    childStarts: [],
    now: T0,
    ...overrides,
  };
}

/** Claims everything visible at `now` and returns the item for `instanceId`, handing the others back. */
export async function claimInstance(store: Store, instanceId: string, now = T0, owner = 'worker-a'): Promise<OrchestrationWorkItem> {
  const items = await store.claimOrchestrations({ owner, leaseMs: LEASE_MS, limit: 10_000, now });
  const others = items.filter((item) => item.instanceId !== instanceId);
  if (others.length > 0) await store.abandonOrchestrations(others);
  const item = items.find((candidate) => candidate.instanceId === instanceId);
  assert.ok(item, `expected instance '${instanceId}' to be claimable at ${now}`);
  return item;
}

export async function commitOk(store: Store, commit: OrchestrationCommit): Promise<void> {
  assert.deepEqual(await store.commitOrchestrations([commit]), [{ ok: true }]);
}

/** Creates the instances and drives each to `status` in one claim and one commit batch (at the latest start time by default). */
export async function createWithStatus(
  store: Store,
  requests: readonly StartRequest[],
  status: RuntimeStatus,
  now = Math.max(T0, ...requests.map((request) => request.visibleAt ?? request.now)),
  extra: Partial<OrchestrationCommit> = {},
): Promise<void> {
  await store.createInstances(requests);
  const ids = new Set(requests.map((request) => request.instanceId));
  const items = await store.claimOrchestrations({ owner: 'setup', leaseMs: LEASE_MS, limit: 100_000, now });
  const mine = items.filter((item) => ids.has(item.instanceId));
  await store.abandonOrchestrations(items.filter((item) => !ids.has(item.instanceId)));
  assert.equal(mine.length, ids.size, 'every new instance should be claimable');
  const results = await store.commitOrchestrations(
    mine.map((item) => commitFor(item, { runtimeStatus: status, now, newEvents: [orchestratorStarted(now)], ...extra })),
  );
  assert.ok(results.every((result) => result.ok));
}

export function eventTypes(item: OrchestrationWorkItem): string[] {
  return item.messages.map((message) => message.event.type);
}
