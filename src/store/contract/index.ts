/**
 * @module perdure/store (contract suite)
 * The store contract suite: every Store implementation must pass it. It uses
 * the Store interface only, so a new backend is checked by one line:
 * `describeStore('postgres', makeStore)`. Each test gets a fresh store from
 * `makeStore` (already migrated) and closes it afterwards.
 */
import { describe } from 'node:test';
import type { Store } from '../store.ts';
import { describeActivityHeartbeats } from './activity-heartbeats.ts';
import { describeActivityQueue } from './activity-queue.ts';
import { describeBacklog } from './backlog.ts';
import { describeCascadeStarts } from './cascade-starts.ts';
import { describeCreateIfMissing } from './create-if-missing.ts';
import { describeDeliveries } from './deliveries.ts';
import { describeEventIds } from './event-ids.ts';
import { useFreshStore } from './fixtures.ts';
import { describeInstanceCounts } from './instance-counts.ts';
import { describeLeasedStarts } from './leased-starts.ts';
import { describeListInstances } from './list-instances.ts';
import { describeNextWakeAt } from './next-wake-at.ts';
import { describeOrchestrationClaims } from './orchestration-claims.ts';
import { describeOrchestrationCommits } from './orchestration-commits.ts';
import { describePurge } from './purge.ts';
import { describeRunnableClaims } from './runnable-claims.ts';
import { describeSchedules } from './schedules.ts';
import { describeSend } from './send.ts';
import { describeSingletonStarts } from './singleton-starts.ts';
import { describeStartInstances } from './start-instances.ts';
import { describeVersions } from './versions.ts';
import { describeTombstones } from './tombstones.ts';

export function describeStore(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const harness = useFreshStore(makeStore);
    describeStartInstances(harness);
    describeLeasedStarts(harness);
    describeSingletonStarts(harness);
    describeCascadeStarts(harness);
    describeSend(harness);
    describeCreateIfMissing(harness);
    describeEventIds(harness);
    describeOrchestrationClaims(harness);
    describeOrchestrationCommits(harness);
    describeActivityQueue(harness);
    describeRunnableClaims(harness);
    describeActivityHeartbeats(harness);
    describeDeliveries(harness);
    describeListInstances(harness);
    describeInstanceCounts(harness);
    describePurge(harness);
    describeNextWakeAt(harness);
    describeBacklog(harness);
    describeSchedules(harness);
    describeVersions(harness);
    describeTombstones(harness);
  });
}
