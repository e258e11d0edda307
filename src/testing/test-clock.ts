/**
 * @module testing/test-clock
 * A clock that keeps its own time and its own timers, for the test
 * environment: the host's worker loops sleep on it (`Clock.setTimer`), so
 * their wake-ups happen when this clock's time reaches them, never because
 * the wall clock moved.
 *
 * What must hold:
 * - A timer fires exactly when the clock is moved to or past its deadline,
 *   in deadline order; a timer due now (delay 0) fires on the next tick.
 * - It has no `onAdvance`: the host's loops sleep on its timers, so moving
 *   time wakes exactly the loops whose sleep ends (a loop busy at that
 *   moment sees the new time when it next computes its sleep); waking them
 *   all as well would make every jump claim twice.
 * - `waitingTimers` counts the timers that wait on the clock's time: the
 *   test environment reads it to know that every loop is parked.
 */
import type { ManualClock } from '../runtime/clock.ts';

export interface TestClock extends ManualClock {
  setTimer(delayMs: number, callback: () => void): () => void;
  /** Timers waiting for the clock to reach their deadline. */
  readonly waitingTimers: number;
  /** Called whenever a timer is set, fires or is cancelled. */
  onTimersChanged(listener: () => void): () => void;
}

interface Timer {
  readonly deadline: number;
  readonly callback: () => void;
}

export function createTestClock(start = Date.UTC(2030, 0, 1)): TestClock {
  let time = start;
  const timers = new Set<Timer>();
  const timerListeners = new Set<() => void>();
  const timersChanged = () => timerListeners.forEach((listener) => listener());
  const moveTo = (target: number) => {
    time = target;
    const due = [...timers].filter((t) => t.deadline <= time).sort((a, b) => a.deadline - b.deadline);
    for (const timer of due) timers.delete(timer);
    for (const timer of due) timer.callback();
    if (due.length > 0) timersChanged();
  };
  const subscribe = (set: Set<() => void>, listener: () => void) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  return {
    now: () => time,
    advance: (ms) => moveTo(time + ms),
    set: (target) => moveTo(target),
    onTimersChanged: (listener) => subscribe(timerListeners, listener),
    get waitingTimers() {
      return timers.size;
    },
    setTimer(delayMs, callback) {
      if (delayMs <= 0) {
        const immediate = setImmediate(callback);
        return () => clearImmediate(immediate);
      }
      const timer: Timer = { deadline: time + delayMs, callback };
      timers.add(timer);
      timersChanged();
      return () => {
        if (timers.delete(timer)) timersChanged();
      };
    },
  };
}
