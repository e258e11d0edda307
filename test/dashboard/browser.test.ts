/**
 * Browser tests of the dashboard: a real host over real HTTP, driven in
 * Chromium. The cases of issue 12: loading the instances page (one script,
 * the first data from the preloads, the first-render mark), a new
 * instance appearing without a reload, filtering, an instance's activities
 * on the timeline, raising an event, terminating, and the login flow.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { dashboardAssets } from '../../src/dashboard/assets.ts';
import { FIRST_DATA } from '../../src/dashboard/pages.ts';
import { startDashboardServer, type DashboardServer } from './fixtures.ts';
import { launchChromium, openPage, screenshot } from './browser.ts';

const FIRST_RENDER_MARK = 'perdure:first-render';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

describe('dashboard in a browser (keyless host)', () => {
  let server: DashboardServer;
  before(async () => {
    server = await startDashboardServer();
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
  });

  it('loads the instances page at / with the counts, and breaks no CSP rule', async () => {
    await server.host.client.startNew('Waiter', { instanceId: 'load-1' });
    const { page, errors, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/`);
      assert.equal(new URL(page.url()).pathname, '/dashboard');
      await page.locator('tr[data-instance="load-1"]').waitFor();
      await page.locator('[data-count="total"]', { hasText: /^[1-9]/ }).waitFor();
      assert.equal(await page.locator('h1, .brand').first().textContent(), 'Perdure');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('takes its first data from the preloads, runs one script, and marks its first render once both are shown', async () => {
    await server.host.client.startNew('Waiter', { instanceId: 'preload-1' });
    const { page, errors, context } = await openPage(browser);
    try {
      const requests: string[] = [];
      page.on('request', (request) => requests.push(`${request.resourceType()} ${new URL(request.url()).pathname}`));
      await page.goto(`${server.url}/dashboard`);
      await page.locator('tr[data-instance="preload-1"]').waitFor();
      await page.waitForFunction((name) => performance.getEntriesByName(name).length === 1, FIRST_RENDER_MARK);
      // Resource Timing has an entry per request: a fetch that takes a preloaded response adds none. The next poll's
      // fetches come 1.5 s after the first data, and its timer fires after the mark's (the effect after the paint).
      const seen = await page.evaluate((name) => {
        const mark = performance.getEntriesByName(name)[0]!.startTime;
        return (performance.getEntriesByType('resource') as unknown as { startTime: number; initiatorType: string; name: string }[])
          .filter((entry) => entry.startTime < mark)
          .map((entry) => `${entry.initiatorType} ${new URL(entry.name).pathname}${new URL(entry.name).search}`);
      }, FIRST_RENDER_MARK);
      const { script, style } = dashboardAssets();
      assert.deepEqual(
        seen.sort(),
        [
          ...FIRST_DATA.map((url) => `link ${url}`),
          `link /dashboard/assets/${style.name}`,
          `script /dashboard/assets/${script.name}`,
        ].sort(),
      );
      assert.equal(requests.filter((r) => r.startsWith('script')).length, 1, 'one script');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('shows a newly started instance without a reload', async () => {
    const { page, errors, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/dashboard`);
      await page.locator('table.list').waitFor();
      let reloads = 0;
      page.on('framenavigated', () => (reloads += 1));
      const before = Number(await page.locator('[data-count="total"]').textContent());
      await server.host.client.startNew('Waiter', { instanceId: 'appears-1' });
      await page.locator('tr[data-instance="appears-1"]').waitFor();
      await page.locator('[data-count="total"]', { hasText: String(before + 1) }).waitFor();
      assert.equal(reloads, 0, 'the page was not reloaded');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('filters by ID prefix, status and name', async () => {
    const client = server.host.client;
    await client.startNew('Waiter', { instanceId: 'filter-a-1' });
    await client.startNew('Waiter', { instanceId: 'filter-a-2' });
    await client.startNew('Child', { instanceId: 'filter-b-1', input: 'x' });
    await client.waitForCompletion('filter-b-1', { timeoutMs: 10_000 });
    const { page, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/dashboard`);
      await page.locator('tr[data-instance="filter-b-1"]').waitFor();
      const form = page.getByRole('form', { name: 'Filters' });
      await form.locator('input[name="prefix"]').fill('filter-');
      await form.getByRole('button', { name: 'Filter' }).click();
      await page.locator('tr[data-instance="load-1"]').waitFor({ state: 'detached' });
      assert.deepEqual(await rowIds(page), ['filter-a-1', 'filter-a-2', 'filter-b-1']);

      await form.getByLabel('Completed').check();
      await form.getByRole('button', { name: 'Filter' }).click();
      await page.locator('tr[data-instance="filter-a-1"]').waitFor({ state: 'detached' });
      assert.deepEqual(await rowIds(page), ['filter-b-1']);

      await form.getByLabel('Completed').uncheck();
      await form.locator('input[name="name"]').fill('Waiter');
      await form.getByRole('button', { name: 'Filter' }).click();
      await page.locator('tr[data-instance="filter-b-1"]').waitFor({ state: 'detached' });
      assert.deepEqual(await rowIds(page), ['filter-a-1', 'filter-a-2']);
    } finally {
      await context.close();
    }
  });

  it('opens an instance and shows its activities, retry, timer and child on the timeline, then raises its event from the UI', async () => {
    const { instanceId } = await server.host.client.startNew('Greeting', { instanceId: 'greeting-1', input: { who: 'everyone' } });
    const { page, errors, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/dashboard`);
      await page.locator(`tr[data-instance="${instanceId}"] a`).click();
      const timeline = page.getByRole('table', { name: 'Timeline' });
      await timeline.locator('.row[data-kind="orchestration"][data-name="Child"].outcome-completed').waitFor();
      assert.equal(await timeline.locator('.row[data-kind="activity"][data-name="Greet"]').count(), 2);
      await timeline.locator('.row.retry[data-name="Flaky"]', { hasText: 'attempt 2' }).waitFor();
      assert.equal(await timeline.locator('.row[data-name="Flaky"].outcome-failed').count(), 1);
      assert.equal(await timeline.locator('.row[data-kind="timer"]').count(), 2, 'the retry delay and the explicit timer');
      assert.match((await timeline.locator('.row[data-name="Greet"]').first().textContent()) ?? '', /Hello Ada/);
      await page.locator('a.child').waitFor();
      await screenshot(page, 'dashboard-instance');

      await page.locator('[data-action="raise"]').click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('input[name="event"]').fill('Approval');
      await dialog.locator('textarea[name="data"]').fill('{"approved": tru');
      await dialog.getByText('Not valid JSON').waitFor();
      assert.equal(await dialog.locator('[data-confirm]').isDisabled(), true, 'invalid JSON cannot be sent');
      await dialog.locator('textarea[name="data"]').fill('{"approved": true}');
      await dialog.locator('[data-confirm]').click();
      await page.locator('h1 .badge', { hasText: 'Completed' }).waitFor();
      assert.match((await page.getByLabel('output').textContent()) ?? '', /"approved": true/);
      await timeline.locator('.row[data-kind="event"][data-name="Approval"]').waitFor();

      // The downloaded history is the file `perdure instance history` writes: the status route's historyEvents, 2-space JSON.
      await page.locator('details.raw summary').click();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('details.raw button', { hasText: 'Download' }).click(),
      ]);
      const file = await readFile(await download.path(), 'utf8');
      const status = (await (
        await fetch(`${server.url}/runtime/webhooks/durabletask/instances/${instanceId}?showHistory=true&showHistoryOutput=true`)
      ).json()) as { historyEvents: unknown[] };
      assert.equal(file, `${JSON.stringify(status.historyEvents, null, 2)}\n`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('terminates an instance from the UI after confirmation', async () => {
    await server.host.client.startNew('Waiter', { instanceId: 'terminate-me' });
    const { page, errors, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/dashboard#/instances/terminate-me`);
      await page.locator('h1 .badge', { hasText: 'Running' }).waitFor();
      await page.locator('[data-action="terminate"]').click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('input[name="reason"]').fill('from the dashboard');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await page.waitForTimeout(300);
      assert.equal((await server.host.client.getStatus('terminate-me'))?.runtimeStatus, 'Running', 'cancel does nothing');
      await page.locator('[data-action="terminate"]').click();
      await page.getByRole('dialog').locator('[data-confirm]').click();
      await page.locator('h1 .badge', { hasText: 'Terminated' }).waitFor();
      assert.equal((await server.host.client.getStatus('terminate-me'))?.runtimeStatus, 'Terminated');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('starts an instance from the UI and names a singleton conflict as such', async () => {
    const { page, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/dashboard`);
      await page.getByRole('button', { name: 'Start an instance…' }).click();
      const form = page.getByRole('form', { name: 'Start an instance' });
      await form.locator('select[name="orchestration"]').selectOption('Waiter');
      await form.locator('input[name="instanceId"]').fill('started-in-ui');
      await form.getByRole('button', { name: 'Start' }).click();
      await page.getByRole('dialog').locator('[data-confirm]').click();
      await form.getByText('Started started-in-ui.').waitFor();
      assert.equal((await server.host.client.getStatus('started-in-ui'))?.name, 'Waiter');
      await form.getByRole('button', { name: 'Start' }).click();
      await page.getByRole('dialog').locator('[data-confirm]').click();
      await form.getByText(/Singleton conflict: instance 'started-in-ui' is already live/).waitFor();
      await page.locator('[data-count="Running"]', { hasText: /^[1-9]/ }).waitFor();
      await screenshot(page, 'dashboard-instances');
    } finally {
      await context.close();
    }
  });
});

describe('dashboard in a browser (host with a key)', () => {
  const key = 'dashboard-test-master-key-0123456789';
  let server: DashboardServer;
  before(async () => {
    server = await startDashboardServer({ keys: { masterKey: key } });
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
  });

  it('asks for the key once, keeps it in an HttpOnly SameSite=Strict cookie, and sends the CSRF token with actions', async () => {
    await server.host.client.startNew('Waiter', { instanceId: 'keyed-1' });
    const { page, errors, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/dashboard`);
      assert.equal(new URL(page.url()).pathname, '/dashboard/login');
      await page.locator('input[name="key"]').fill('not-the-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'does not open the management API' }).waitFor();
      errors.length = 0; // the 401 of the refused sign-in is logged by Chromium as a console error
      await page.locator('input[name="key"]').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('tr[data-instance="keyed-1"]').waitFor();
      const [cookie] = await context.cookies();
      assert.equal(cookie?.name, 'perdure_session');
      assert.equal(cookie?.httpOnly, true);
      assert.equal(cookie?.sameSite, 'Strict');
      assert.ok(!cookie?.value.includes(key), 'the cookie does not hold the key');

      // Without the CSRF header, the session cannot change state, even from the page itself.
      const forged = await page.evaluate(
        async () => (await fetch('/runtime/webhooks/durabletask/instances/keyed-1/terminate', { method: 'POST' })).status,
      );
      assert.equal(forged, 403);
      errors.length = 0; // Chromium logs that refusal as a console error

      await page.locator('tr[data-instance="keyed-1"] a').click();
      await page.locator('[data-action="terminate"]').click();
      await page.getByRole('dialog').locator('[data-confirm]').click();
      await page.locator('h1 .badge', { hasText: 'Terminated' }).waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/dashboard\/login$/);
      assert.deepEqual(await context.cookies(), []);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

async function rowIds(page: import('playwright-core').Page): Promise<string[]> {
  return page.locator('tr[data-instance]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-instance') ?? ''));
}
