/**
 * @module test/entities/entity-stores
 * What the entity suites share: a fresh store of each kind (a SQLite file in
 * the suite's temp dir, a fresh PostgreSQL schema) and a bounded wait for a
 * condition read from the store.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { createTestSchema } from '../helpers/postgres.ts';

export type FreshStore = () => Promise<{ url: string; drop: () => Promise<void> }>;

/** One fresh-store maker per store kind; `label` names the files and schemas (and the temp dir is removed after the suite). */
export function entityStores(label: string): Record<'sqlite' | 'postgres', FreshStore> {
  const dir = createTempDir(`perdure-${label}-`);
  after(() => dir[Symbol.dispose]());
  let files = 0;
  return {
    sqlite: async () => ({ url: `sqlite:${dir.file(`${label}-${++files}.db`)}`, drop: async () => {} }),
    postgres: async () => {
      const schema = await createTestSchema(label.replace(/-/g, '_'));
      return { url: schema.url, drop: () => schema.drop() };
    },
  };
}

/** Reads until `done` holds, failing with the last value after `timeoutMs`. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
