/**
 * @module testing/memory-store
 * An in-memory store for tests: the SQLite store on `:memory:`, so it obeys
 * the same contract as the file and PostgreSQL stores. It is not shared
 * between processes and is gone when closed.
 */
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';

export function openMemoryStore(): Promise<Store> {
  return openStore('sqlite::memory:');
}
