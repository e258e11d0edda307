/**
 * @module completion-notifier
 * Lets waitForCompletion in this process wake the moment a local worker
 * commits a status change, instead of polling. Other hosts' changes are
 * still seen by the waiter's fallback poll.
 */
export class CompletionNotifier {
  readonly #waiters = new Map<string, Set<() => void>>();

  notify(instanceId: string): void {
    const waiters = this.#waiters.get(instanceId);
    if (!waiters) return;
    this.#waiters.delete(instanceId);
    for (const wake of waiters) wake();
  }

  /** Resolves when `instanceId` changes status here, or after `timeoutMs`. */
  wait(instanceId: string, timeoutMs: number): Promise<void> {
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
