/**
 * @module chaos/probes/kill-loop
 * Starts instances over HTTP against a real `perdure start` on a SQLite
 * file, SIGKILLs the process at a random moment, restarts it, and repeats.
 * At the end one more host runs until every acknowledged start has finished.
 *
 * Must hold: every start answered 202 exists afterwards (none lost) and
 * completes with the right output.
 */
import { MANAGEMENT, request, waitForStatus } from '../../test/helpers/http-client.ts';
import { startServer } from '../../test/helpers/server-process.ts';
import { createTempDir } from '../../test/helpers/temp-dir.ts';
import { sleep, type Probe } from '../probe.ts';

const ROUNDS = 5;
const STARTS_PER_ROUND = 200;

export const killLoop: Probe = {
  name: 'kill-loop',
  summary: `${ROUNDS} SIGKILLs of a host under ${STARTS_PER_ROUND}-start load, then recovery`,
  async run() {
    using dir = createTempDir('perdure-chaos-kill-');
    const store = `sqlite:${dir.file('perdure.db')}`;
    const acknowledged: string[] = [];
    let refused = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServer({ store });
      const starts = Array.from({ length: STARTS_PER_ROUND }, async (_, i) => {
        const id = `kill-${round}-${i}`;
        const answer = await request(`${server.url}/api/orchestrators/HelloSequence/${id}`, { method: 'POST' }).catch(() => undefined);
        if (answer?.status === 202) acknowledged.push(id);
        else refused++;
      });
      await sleep(20 + Math.floor(Math.random() * 200));
      await server.stop('SIGKILL');
      await Promise.all(starts);
    }
    await using survivor = await startServer({ store });
    const outcomes = await Promise.all(acknowledged.map((id) => finalStatus(survivor.url, id)));
    const lost = outcomes.filter((s) => s === 'missing').length;
    const wrong = outcomes.filter((s) => s !== 'missing' && s !== 'ok').length;
    return {
      probe: 'kill-loop',
      figures: {
        rounds: ROUNDS,
        attempted: ROUNDS * STARTS_PER_ROUND,
        acknowledged: acknowledged.length,
        refusedOrCut: refused,
        lost,
        wrong,
      },
      checks: { 'no acknowledged start lost': lost === 0, 'every acknowledged instance completed correctly': wrong === 0 },
    };
  },
};

/** 'ok', 'missing', or what was wrong. */
async function finalStatus(url: string, id: string): Promise<string> {
  const first = await request(`${url}${MANAGEMENT}/instances/${id}`);
  if (first.status === 404) return 'missing';
  const status = await waitForStatus(url, id, undefined, { timeoutMs: 120_000 }).catch((error: Error) => ({
    runtimeStatus: error.message,
  }));
  const output = JSON.stringify(status.output);
  return status.runtimeStatus === 'Completed' && output === '["Hello Tokyo!","Hello Seattle!","Hello London!"]'
    ? 'ok'
    : `${status.runtimeStatus} ${output}`;
}
