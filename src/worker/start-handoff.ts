/**
 * @module start-handoff
 * A start made by a host that runs workers is leased to that host's
 * orchestration worker in the start's own transaction, and the store hands
 * back the first turn's work item, which the worker runs without a claim
 * round (one write transaction less on every start's path).
 *
 * What must hold:
 * - The lease is taken inside the start's transaction, with the same token
 *   a claim would give, so the first turn is fenced exactly as a claimed one:
 *   if the lease expires and another host claims the instance, this host's
 *   commit is rejected.
 * - The work item reaches the worker only after the start is committed
 *   (durable), so no activity runs for a start that could still be lost.
 * - A host that crashes holding such a lease delays the instance by at most
 *   the orchestration lease, as for any claimed turn.
 * - A worker that no longer runs hands a late work item back at once.
 * - Only a start whose orchestration this host registered is leased to it
 *   (rolling deploys): another name is left for a host that runs it.
 */
import type { OrchestrationWorkItem } from '../store/store.ts';

export interface StartHandoff {
  /** The lease to ask for on a start of `name` made at `now`, or undefined when the worker takes no more work or cannot run `name`. */
  lease(now: number, name: string): { readonly owner: string; readonly expiresAt: number } | undefined;
  /** Takes the first turn of a start that the store leased as asked. */
  accept(item: OrchestrationWorkItem): void;
}
