/**
 * @module perdure/testing
 * Helpers for testing orchestrations: a clock that moves only when the test
 * moves it, and a store that lives in memory and is gone when closed.
 *
 * @example
 * import { app, createHost } from 'perdure';
 * import { createManualClock, openMemoryStore } from 'perdure/testing';
 * const clock = createManualClock();
 * await using host = await createHost({ app, store: await openMemoryStore(), clock });
 * clock.advance(60_000);
 * host.wake();
 */
export { createManualClock, type ManualClock } from '../runtime/clock.ts';
export { silentLogger } from '../runtime/logger.ts';
export { openMemoryStore } from './memory-store.ts';
