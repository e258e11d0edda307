/**
 * @module completion-notifier
 * Lets waitForCompletion in this process wake the moment a local worker
 * commits a status change, instead of polling. Other hosts' changes are
 * still seen by the waiter's fallback poll.
 *
 * What must hold: while this host's worker holds an instance (from the
 * moment its start is handed over or it is claimed, until its turn is
 * committed or handed back), no other host can change it, so a waiter needs
 * no poll: the worker's release wakes it. Every hold is released, whatever
 * the outcome of the turn, and a release always wakes the waiters.
 */
export class CompletionNotifier {
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Instances leased to this host's worker right now, with how many holds each has. */
  readonly #held = new Map<string, number>();

  notify(instanceId: string): void {
    const waiters = this.#waiters.get(instanceId);
    if (!waiters) return;
    this.#waiters.delete(instanceId);
    for (const wake of waiters) wake();
  }

  /** The local worker holds the instance's lease: only it can change the instance until release. */
  hold(instanceId: string): void {
    this.#held.set(instanceId, (this.#held.get(instanceId) ?? 0) + 1);
  }

  /** The local worker committed or gave up its turn: wakes the instance's waiters. */
  release(instanceId: string): void {
    const holds = this.#held.get(instanceId) ?? 0;
    if (holds <= 1) this.#held.delete(instanceId);
    else this.#held.set(instanceId, holds - 1);
    this.notify(instanceId);
  }

  /** True while this host's worker holds the instance: it exists, and only that worker can change it. */
  isHeld(instanceId: string): boolean {
    return this.#held.has(instanceId);
  }

  /**
   * Resolves when `instanceId` changes here, or after `pollMs` (`maxMs` while
   * the local worker holds the instance, since nobody else can change it).
   */
  wait(instanceId: string, pollMs: number, maxMs = pollMs): Promise<void> {
    const timeoutMs = this.#held.has(instanceId) ? maxMs : Math.min(pollMs, maxMs);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(instanceId) ?? new Set();
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && this.#waiters.get(instanceId) === waiters) this.#waiters.delete(instanceId);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, timeoutMs));
      waiters.add(wake);
      this.#waiters.set(instanceId, waiters);
    });
  }
}
