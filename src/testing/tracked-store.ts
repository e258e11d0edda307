/**
 * @module testing/tracked-store
 * Wraps a store to count its calls in flight, so the test environment can
 * tell that nobody (worker, client or test) is reading or writing before it
 * moves time. It changes nothing about what the store does.
 *
 * What must hold: every call that returns a promise is counted from the
 * call until it settles, and `onChange` hears both ends.
 */
import type { Store } from '../store/store.ts';

export interface TrackedStore {
  readonly store: Store;
  readonly inFlight: () => number;
}

export function trackStore(inner: Store, onChange: () => void): TrackedStore {
  let inFlight = 0;
  const settled = () => {
    inFlight -= 1;
    onChange();
  };
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        inFlight += 1;
        onChange();
        return result.finally(settled);
      };
    },
  });
  return { store, inFlight: () => inFlight };
}
