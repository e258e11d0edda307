/**
 * @module worker/wake-latch
 * A wake-up latch for worker loops: `notify()` releases the current or the
 * next `wait()`, so work committed in this process is dispatched at once
 * instead of on a polling tick. Its timeouts run on the given clock's timers
 * when that clock keeps its own (a test clock), else on the wall clock.
 */
import type { Clock } from '../runtime/clock.ts';

export class WakeLatch {
  #pending = false;
  #release: (() => void) | undefined;

  constructor(private readonly clock?: Clock) {}

  notify(): void {
    if (this.#release) {
      const release = this.#release;
      this.#release = undefined;
      release();
    } else {
      this.#pending = true;
    }
  }

  /** Resolves on notify (true) or after `timeoutMs` (false), whichever comes first. */
  wait(timeoutMs: number): Promise<boolean> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const cancel = this.#setTimer(
        () => {
          this.#release = undefined;
          resolve(false);
        },
        Math.max(0, timeoutMs),
      );
      this.#release = () => {
        cancel();
        resolve(true);
      };
    });
  }

  #setTimer(callback: () => void, delayMs: number): () => void {
    if (this.clock?.setTimer) return this.clock.setTimer(delayMs, callback);
    const timer = setTimeout(callback, delayMs);
    return () => clearTimeout(timer);
  }
}
