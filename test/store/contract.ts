/**
 * @module test/store/contract
 * The store contract suite: every Store implementation must pass it. It uses
 * the Store interface only, so a new backend is checked by one line:
 * `describeStore('postgres', makeStore)`. Each test gets a fresh store from
 * `makeStore` (already migrated) and closes it afterwards.
 */
import { describe } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { describeActivityQueue } from './contract/activity-queue.ts';
import { useFreshStore } from './contract/fixtures.ts';
import { describeLeasedStarts } from './contract/leased-starts.ts';
import { describeListInstances } from './contract/list-instances.ts';
import { describeNextWakeAt } from './contract/next-wake-at.ts';
import { describeOrchestrationClaims } from './contract/orchestration-claims.ts';
import { describeOrchestrationCommits } from './contract/orchestration-commits.ts';
import { describePurge } from './contract/purge.ts';
import { describeSend } from './contract/send.ts';
import { describeStartInstances } from './contract/start-instances.ts';

export function describeStore(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const harness = useFreshStore(makeStore);
    describeStartInstances(harness);
    describeLeasedStarts(harness);
    describeSend(harness);
    describeOrchestrationClaims(harness);
    describeOrchestrationCommits(harness);
    describeActivityQueue(harness);
    describeListInstances(harness);
    describePurge(harness);
    describeNextWakeAt(harness);
  });
}
