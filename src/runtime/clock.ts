/**
 * @module clock
 * All engine time comes from a Clock, so tests can move time by hand and
 * SQL never reads `now()`.
 */
export interface Clock {
  now(): number;
  /** Manual clocks tell the host when time jumps, so due timers are looked at at once. */
  onAdvance?(listener: () => void): () => void;
  /**
   * A clock that keeps its own time also keeps the host's timers: the worker
   * loops sleep through it, so their wake-ups follow this clock's time, not
   * the wall clock (the time-skipping test clock). Returns the cancel function.
   */
  setTimer?(delayMs: number, callback: () => void): () => void;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(time: number): void;
}

export function createManualClock(start = Date.UTC(2030, 0, 1)): ManualClock {
  let time = start;
  const listeners = new Set<() => void>();
  const moved = () => listeners.forEach((listener) => listener());
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
      moved();
    },
    set: (t) => {
      time = t;
      moved();
    },
    onAdvance: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
