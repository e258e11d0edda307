/**
 * @module purge-tree
 * A recursive purge: the finished sub-orchestrations an instance's history
 * started, and theirs, depth first.
 *
 * What must hold:
 * - A child is purged before its parent, so a purge cut short (a crash, a
 *   store fault) leaves every purged child's parent in place, and running it
 *   again finds the rest.
 * - Only an instance whose stored parent is still this instance is purged:
 *   an ID since taken by an unrelated instance is left alone.
 * - A live child (started with `parentClose: 'abandon'`) is kept, with its own children.
 */
import type { Store } from '../store/store.ts';
import { isTerminalStatus } from '../model/runtime-status.ts';

/** Purges the finished descendants of `instanceId` (not the instance itself); returns how many were deleted. */
export async function purgeChildren(store: Store, instanceId: string, now: number): Promise<number> {
  let deleted = 0;
  for (const childId of await childIdsOf(store, instanceId)) {
    const child = await store.getInstance(childId);
    if (!child || child.parentInstanceId !== instanceId || !isTerminalStatus(child.runtimeStatus)) continue;
    deleted += await purgeChildren(store, childId, now);
    deleted += await store.purge({ instanceId: childId, now });
  }
  return deleted;
}

/** Every sub-orchestration ID the current execution's history started, once each. */
async function childIdsOf(store: Store, instanceId: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const event of await store.getHistory(instanceId)) if (event.type === 'SubOrchestrationInstanceCreated') ids.add(event.instanceId);
  return [...ids];
}
