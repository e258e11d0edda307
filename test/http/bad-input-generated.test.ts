/**
 * @module test/http/bad-input-generated.test
 * The generated bad-input set (test/chaos/bad-input-cases.ts, over 500
 * cases on every route) against real servers on SQLite and PostgreSQL:
 * every answer is a 4xx (no 5xx, and no garbage accepted), and the stored
 * instances are exactly the same afterwards (none created, lost or changed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { createTestSchema, type TestSchema } from '../helpers/postgres.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';
import { badInputCases, runCases, seedInstances, snapshot } from '../chaos/bad-input-cases.ts';

const dir = createTempDir('perdure-generated-');
let schema: TestSchema;
const servers: Record<string, ServerProcess> = {};

before(async () => {
  schema = await createTestSchema('gen');
  [servers['sqlite'], servers['postgres']] = await Promise.all([
    startServer({ store: `sqlite:${dir.file('store.db')}` }),
    startServer({ store: schema.url }),
  ]);
});
after(async () => {
  for (const server of Object.values(servers)) await server[Symbol.asyncDispose]();
  await schema?.drop();
  dir[Symbol.dispose]();
});

describe('generated bad input', () => {
  for (const storeName of ['sqlite', 'postgres']) {
    it(`answers every case with a 4xx over ${storeName} and leaves the stored instances as they were`, async () => {
      const url = servers[storeName]!.url;
      await seedInstances(url);
      const before = await snapshot(url);
      const cases = badInputCases(Number(new URL(url).port));
      assert.ok(cases.length >= 500, `${cases.length} cases`);
      const outcomes = await runCases(url, cases);
      const wrong = outcomes.filter((o) => o.status < 400 || o.status >= 500);
      assert.deepEqual(
        wrong.map((o) => `${o.status} ${o.case.name} (${o.case.method} ${o.case.path.slice(0, 80)}): ${o.text}`),
        [],
        `${wrong.length} of ${outcomes.length} cases were not answered with a 4xx`,
      );
      assert.equal(await snapshot(url), before, 'the stored instances are unchanged');
      assert.doesNotMatch(servers[storeName]!.stderr(), /Unhandled error/);
    });
  }
});
