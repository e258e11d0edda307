/**
 * @module entity-locks
 * What an ending execution does with the entity locks it still holds: it
 * releases them, as Durable Functions does when an orchestration completes
 * without releasing. A lock set that was asked for and not released gets
 * one release that travels the set in its order, entity to entity, as the
 * lock request did. Following the request's path is what makes it safe for a
 * request still on its way (an execution terminated while waiting for its
 * locks): each entity sees the release after the lock request, because both
 * come from the same sender, and messages from one sender to one entity are
 * processed in the order they were sent.
 *
 * What must hold: pure (no I/O, no clock); the releases ride in the commit
 * that ends the execution, so it never ends without them being sent.
 */
import { ENTITY_REQUEST_EVENT, isEntityRequest, type EntityReleaseRequest } from '../model/entity-message.ts';
import type { InboxEvent } from '../model/history.ts';

/** An entity request an execution sent (an EventSent event, or the task that recorded it). */
export interface SentRequest {
  readonly instanceId: string;
  readonly name: string;
  readonly input?: unknown;
}

/**
 * The lock sets (sorted entity instance IDs) that the sends asked for and
 * did not release, each left with only the entities it has not released.
 */
export function heldLockSets(sent: Iterable<SentRequest>): string[][] {
  const sets: { lockSet: readonly string[]; released: Set<string> }[] = [];
  for (const send of sent) {
    if (send.name !== ENTITY_REQUEST_EVENT || !isEntityRequest(send.input)) continue;
    const request = send.input;
    if (request.kind === 'lock') sets.push({ lockSet: request.lockSet, released: new Set() });
    if (request.kind !== 'release') continue;
    const open = sets.findLast((s) => s.lockSet.includes(send.instanceId) && !s.released.has(send.instanceId));
    open?.released.add(send.instanceId);
  }
  return sets.map((s) => s.lockSet.filter((id) => !s.released.has(id))).filter((ids) => ids.length > 0);
}

/** The releases that end an execution's locks: one per lock set, to its first entity, travelling on from there. */
export function lockReleases(
  holder: { readonly instanceId: string; readonly executionId: string },
  lockSets: readonly (readonly string[])[],
  timestamp: string,
): { instanceId: string; event: InboxEvent }[] {
  return lockSets.map((lockSet, index) => {
    const request: EntityReleaseRequest = {
      kind: 'release',
      id: `${holder.executionId}:release:${index}`,
      parent: holder.instanceId,
      parentExecutionId: holder.executionId,
      lockSet,
      position: 0,
    };
    return { instanceId: lockSet[0]!, event: { type: 'EventRaised', timestamp, name: ENTITY_REQUEST_EVENT, input: request } };
  });
}
