/**
 * Vitest configuration for the one Vitest file (test/testing/kit.vitest.ts),
 * run by test/testing/vitest.test.ts: the kit must work under a user's
 * Vitest as under node:test. The package's entry points resolve to src/, as
 * tsconfig's paths make them for node:test; the cache goes to a temporary
 * directory, not into the shared node_modules.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  cacheDir: join(tmpdir(), 'perdure-vitest-cache'),
  resolve: {
    alias: [
      { find: /^perdure\/testing$/, replacement: src('testing/index.ts') },
      { find: /^perdure$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/testing/kit.vitest.ts'],
    watch: false,
  },
});
