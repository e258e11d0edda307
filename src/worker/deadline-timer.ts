/**
 * @module deadline-timer
 * One timer for the earliest deadline of the running activities. It runs on
 * the clock's own timers when the clock keeps them (time-skipping tests),
 * else on real time; a manual clock's moves are looked at by the worker
 * directly. What must hold: at most one timer is armed, for the earliest
 * deadline asked for since it last fired.
 */
import type { Clock } from '../runtime/clock.ts';

export class DeadlineTimer {
  #cancel: (() => void) | undefined;
  #at = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: () => void,
  ) {}

  /** Arms the timer for `at` unless it is armed for an earlier time; `Infinity` arms nothing. */
  arm(at: number, now: number): void {
    if (at >= this.#at && this.#cancel) return;
    this.cancel();
    this.#at = at;
    if (at === Infinity) return;
    const fire = () => {
      this.#cancel = undefined;
      this.#at = Infinity;
      this.onDue();
    };
    const delay = Math.max(1, at - now);
    if (this.clock.setTimer) {
      this.#cancel = this.clock.setTimer(delay, fire);
      return;
    }
    const timer = setTimeout(fire, delay);
    timer.unref();
    this.#cancel = () => clearTimeout(timer);
  }

  cancel(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#at = Infinity;
  }
}
