/**
 * @module examples/versioned-monitor
 * Changing the steps of a monitor while instances of it are live
 * (docs/versioning.md). The monitor checks a site, sleeps on a durable
 * timer, and continues as new. Version 2 adds a step: after each check it
 * reports the site's state. Two mechanisms make the change safe:
 *
 * - `ctx.patched('report-state')` guards the new step. An instance whose
 *   history shows it passed that point on version 1 replays `false` and
 *   keeps its old steps; every turn that reaches it on version 2 takes it.
 * - `continueAsNew(..., { version })` moves each eternal monitor onto the
 *   new version at its next execution, and hosts started with
 *   `defaultVersion: '2'` never hand a version-2 monitor to a version-1 host.
 *
 * Both apps are built here so that a test can run one, then the other, on
 * the same store, as a deploy would.
 */
import { createApp, type FunctionApp } from 'perdure';

export interface SiteMonitorInput {
  readonly site: string;
  /** The site is up on this check (simulated). */
  readonly upOnCheck: number;
  readonly checks?: number;
}

const INTERVAL_MS = 60_000;

/** Version 1: check, sleep, continue as new, until the site is up. */
export function monitorAppV1(check: (site: string, n: number) => string): FunctionApp {
  const app = createApp();
  const checkSite = app.activity('CheckSite', (input: { site: string; n: number }) => check(input.site, input.n));
  app.orchestration('SiteMonitor', function* (ctx) {
    const input = ctx.getInput<SiteMonitorInput>();
    const checks = (input.checks ?? 0) + 1;
    const state = yield* ctx.callActivity(checkSite, { site: input.site, n: checks });
    if (state === 'up') return { site: input.site, checks };
    ctx.setCustomStatus({ checks });
    yield* ctx.createTimer(ctx.currentUtcDateTime.getTime() + INTERVAL_MS);
    ctx.continueAsNew({ ...input, checks });
    return undefined;
  });
  return app;
}

/** Version 2: the same, plus a report after every check. */
export function monitorAppV2(
  check: (site: string, n: number) => string,
  report: (site: string, state: string) => void,
  options: { guarded: boolean } = { guarded: true },
): FunctionApp {
  const app = createApp();
  const checkSite = app.activity('CheckSite', (input: { site: string; n: number }) => check(input.site, input.n));
  const reportState = app.activity('ReportState', (input: { site: string; state: string }) => report(input.site, input.state));
  app.orchestration('SiteMonitor', function* (ctx) {
    const input = ctx.getInput<SiteMonitorInput>();
    const checks = (input.checks ?? 0) + 1;
    const state = yield* ctx.callActivity(checkSite, { site: input.site, n: checks });
    // The new step. Unguarded, it would make every monitor that sleeps on a version-1 timer diverge.
    if (!options.guarded || ctx.patched('report-state')) yield* ctx.callActivity(reportState, { site: input.site, state });
    if (state === 'up') return { site: input.site, checks };
    ctx.setCustomStatus({ checks });
    yield* ctx.createTimer(ctx.currentUtcDateTime.getTime() + INTERVAL_MS);
    ctx.continueAsNew({ ...input, checks }, { version: '2' });
    return undefined;
  });
  return app;
}

export const MONITOR_INTERVAL_MS = INTERVAL_MS;
