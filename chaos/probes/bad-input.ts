/**
 * @module chaos/probes/bad-input
 * The generated bad-input set (test/chaos/bad-input-cases.ts: malformed,
 * deep and non-UTF-8 bodies, wrong media types, bad and empty parameters,
 * control characters, wrong methods, foreign Host and Origin) against a real
 * server. Must hold: no 5xx, nothing accepted, stored instances unchanged.
 */
import { badInputCases, runCases, seedInstances, snapshot } from '../../test/chaos/bad-input-cases.ts';
import { startServer } from '../../test/helpers/server-process.ts';
import { createTempDir } from '../../test/helpers/temp-dir.ts';
import type { Probe } from '../probe.ts';

export const badInput: Probe = {
  name: 'bad-input',
  summary: 'the generated bad-input set over every route',
  async run() {
    using dir = createTempDir('perdure-chaos-input-');
    await using server = await startServer({ store: `sqlite:${dir.file('perdure.db')}` });
    await seedInstances(server.url);
    const before = await snapshot(server.url);
    const cases = badInputCases(Number(new URL(server.url).port));
    const outcomes = await runCases(server.url, cases);
    const serverErrors = outcomes.filter((o) => o.status >= 500 || o.status === 0);
    const accepted = outcomes.filter((o) => o.status >= 200 && o.status < 300);
    const unchanged = (await snapshot(server.url)) === before;
    return {
      probe: 'bad-input',
      figures: {
        cases: cases.length,
        fiveHundreds: serverErrors.length,
        accepted: accepted.length,
        firstFiveHundreds: serverErrors.slice(0, 5).map((o) => `${o.case.name}: ${o.status}`),
      },
      checks: {
        'at least 500 cases': cases.length >= 500,
        'no 5xx': serverErrors.length === 0,
        'no bad request accepted': accepted.length === 0,
        'stored instances unchanged': unchanged,
      },
    };
  },
};
