/**
 * @module examples/nightly-report
 * A schedule plus a coalescing singleton:
 * - `nightly-report` fires at 03:00 Berlin time every day and starts
 *   `NightlyReport` as `nightly-report@{ISO fire time}`; a run still going
 *   at the next fire makes that fire skip (overlap `skip`).
 * - `POST /api/data-changed` asks for the `Recompute` singleton with
 *   `queueLatest`: never two at once, and the newest change is never lost
 *   (a burst of changes gives one more run, with the last input).
 *
 * Serve it with `npx perdure start examples/nightly-report.ts`.
 */
import { createApp } from 'perdure';

export const app = createApp();

const summarize = app.activity('Summarize', async (day: string) => `report for ${day}`);

const nightlyReport = app.orchestration('NightlyReport', function* (ctx) {
  // The fire time is in the instance ID: `nightly-report@2030-01-01T02:00:00.000Z`.
  const day = ctx.instanceId.split('@')[1]!.slice(0, 10);
  return yield* ctx.callActivity(summarize, day);
});

app.schedule('nightly-report', {
  cron: '0 3 * * *',
  timeZone: 'Europe/Berlin',
  orchestration: nightlyReport,
  overlap: 'skip',
  catchupWindowMs: 6 * 60 * 60_000, // a host that was down at 03:00 still reports if it is back by 09:00
});

const rebuild = app.activity('RebuildIndex', async (version: number) => version);

app.orchestration('Recompute', function* (ctx) {
  return yield* ctx.callActivity(rebuild, ctx.getInput<number>());
});

app.http('data-changed', {
  methods: ['POST'],
  route: 'data-changed/{version:int}',
  handler: async (_request, { params, client }) => {
    const result = await client.startNew('Recompute', {
      instanceId: 'recompute',
      input: Number(params['version']),
      onConflict: 'queueLatest',
    });
    return { outcome: result.outcome };
  },
});
