/**
 * @module chaos/probes/disk-full
 * A host whose SQLite file sits on a small tmpfs that fills up. Must hold:
 * writes answer 507 with Retry-After (never 500), health says 503, nothing
 * stored before is lost, and once space is freed the host works again.
 * Skipped, with the reason, where a tmpfs cannot be mounted.
 */
import { MANAGEMENT, request, waitForCompletion } from '../../test/helpers/http-client.ts';
import { startServer } from '../../test/helpers/server-process.ts';
import { mountTmpfs } from '../../test/helpers/tmpfs.ts';
import { skipped, sleep, type Probe } from '../probe.ts';

export const diskFull: Probe = {
  name: 'disk-full',
  summary: 'a store on a tmpfs that fills up, then frees',
  async run() {
    const mounted = mountTmpfs(4 * 1024 * 1024);
    if (typeof mounted === 'string') return skipped('disk-full', mounted);
    using fs = mounted;
    await using server = await startServer({ store: `sqlite:${fs.file('perdure.db')}` });
    const m = `${server.url}${MANAGEMENT}`;
    const before = await request(`${m}/orchestrators/HelloSequence/before-full`, { method: 'POST' });
    await waitForCompletion(server.url, 'before-full');
    const free = fs.fill();
    const statuses: number[] = [];
    const big = 'z'.repeat(200 * 1024);
    for (let i = 0; i < 20; i++) statuses.push((await request(`${m}/orchestrators/HelloSequence`, { method: 'POST', json: big })).status);
    const health = await request(`${server.url}/api/health`);
    free();
    let recovered = false;
    for (let i = 0; i < 100 && !recovered; i++) {
      recovered = (await request(`${server.url}/api/health`)).status === 200;
      if (!recovered) await sleep(100);
    }
    const after = await request(`${m}/orchestrators/HelloSequence/after-full`, { method: 'POST' });
    const completed = after.status === 202 && (await waitForCompletion(server.url, 'after-full')).runtimeStatus === 'Completed';
    const kept = (await request(`${m}/instances/before-full`)).body?.runtimeStatus === 'Completed';
    return {
      probe: 'disk-full',
      figures: { answers: countBy(statuses), healthWhileFull: health.status, recovered },
      checks: {
        'the first start worked': before.status === 202,
        'a full disk is 507, never 5xx otherwise': statuses.includes(507) && statuses.every((s) => s === 202 || s === 507),
        'health says 503 while full': health.status === 503,
        'works again once space is freed': recovered && completed,
        'what was stored before is kept': kept,
      },
    };
  },
};

function countBy(values: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
