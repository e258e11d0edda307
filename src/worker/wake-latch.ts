/**
 * @module worker/wake-latch
 * A wake-up latch for worker loops: `notify()` releases the current or the
 * next `wait()`, so work committed in this process is dispatched at once
 * instead of on a polling tick.
 */
export class WakeLatch {
  #pending = false;
  #release: (() => void) | undefined;

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
      const timer = setTimeout(
        () => {
          this.#release = undefined;
          resolve(false);
        },
        Math.max(0, timeoutMs),
      );
      this.#release = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}
