/**
 * @module sqlite/thread-write-lock
 * A write lock shared by the SQLite connections that threads of one process
 * hold on the same file (`perdure start`'s HTTP thread and engine thread,
 * decision 0038). SQLite serialises their writes anyway, but a connection
 * that finds the file's write lock taken sleeps in SQLite's busy handler (1,
 * 2, 5, 10 ms…) however soon the lock frees; waiting here instead wakes the
 * moment the other thread's transaction ends.
 *
 * What must hold:
 * - The lock only orders; SQLite's own lock still decides. A thread that
 *   cannot get it within its wait (the other thread died holding it) goes on
 *   without it, and SQLite's busy timeout applies as before.
 * - It is held only around a transaction's own statements (never while user
 *   code runs), and released however the transaction ends.
 */

/** A new lock: pass the same array to every thread's store (it is backed by a SharedArrayBuffer). */
export function createThreadWriteLock(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

const FREE = 0;
const HELD = 1;

/** Runs `fn` holding `lock`, waiting up to `waitMs` for it (then running without it). */
export function withThreadWriteLock<T>(lock: Int32Array, waitMs: number, fn: () => T): T {
  const acquired = acquire(lock, waitMs);
  try {
    return fn();
  } finally {
    if (acquired) {
      Atomics.store(lock, 0, FREE);
      Atomics.notify(lock, 0, 1);
    }
  }
}

function acquire(lock: Int32Array, waitMs: number): boolean {
  const deadline = performance.now() + waitMs;
  while (Atomics.compareExchange(lock, 0, FREE, HELD) !== FREE) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(lock, 0, HELD, left);
  }
  return true;
}
