/**
 * Browser tests of the entities and schedules pages: a real host over real
 * HTTP, driven in Chromium. Entities: listed and filtered, state and lock
 * holder shown, left out of the instances list but reached from it with an `@` prefix, a signal from the page changes the state, bad JSON is
 * answered in the page and sends nothing, a long state is cut with a note.
 * Schedules: listed with their state, pause, unpause and trigger reflected,
 * the triggered run linked to its instance, delete only after confirmation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startDashboardServer, type DashboardServer } from './fixtures.ts';
import { buildPagesApp } from './pages-fixtures.ts';
import { launchChromium, openPage, screenshot } from './browser.ts';

let browser: Browser;
let server: DashboardServer;
before(async () => {
  [browser, server] = await Promise.all([launchChromium(), startDashboardServer({}, buildPagesApp())]);
});
after(async () => {
  await browser?.close();
  await server?.[Symbol.asyncDispose]();
});

async function stateOf(id: { name: string; key: string }): Promise<unknown> {
  return (await server.host.client.readEntityState(id)).state;
}

describe('entities page', () => {
  it('lists entities, filters by name and key prefix, and shows an entity with its lock holder', async () => {
    const client = server.host.client;
    await client.signalEntity({ name: 'counter', key: 'apples' }, 'add', 2);
    await client.signalEntity({ name: 'counter', key: 'pears' }, 'add', 3);
    await client.signalEntity({ name: 'doc', key: 'apples' }, 'set', 'a note');
    await client.startNew('HoldsLock', { instanceId: 'lock-holder', input: 'pears' });
    const { page, errors, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/dashboard`);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Entities' }).click();
      await page.locator('tr[data-entity="@doc@apples"]').waitFor();
      await page.locator('tr[data-entity="@counter@pears"]', { hasText: 'lock-holder' }).waitFor();
      await screenshot(page, 'dashboard-entities');

      const form = page.getByRole('form', { name: 'Entity filters' });
      await form.locator('input[name="name"]').fill('counter');
      await form.locator('input[name="prefix"]').fill('app');
      await form.getByRole('button', { name: 'Filter' }).click();
      await page.locator('tr[data-entity="@counter@pears"]').waitFor({ state: 'detached' });
      assert.deepEqual(await entityRows(page), ['@counter@apples']);

      await page.locator('tr[data-entity="@counter@apples"] a').click();
      await page.getByLabel('state').filter({ hasText: '"total": 2' }).waitFor();
      assert.match((await page.locator('[data-field="lastOperationTime"]').textContent()) ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(await page.locator('[data-field="lockedBy"]').textContent(), '—');

      await page.goto(`${server.url}/dashboard#/entities/counter/pears`);
      await page.locator('[data-field="lockedBy"] a', { hasText: 'lock-holder' }).click();
      await page.locator('h1 .mono', { hasText: 'lock-holder' }).waitFor();

      // The instances page lists orchestrations, not entities (they have their own page)...
      await page.goto(`${server.url}/dashboard`);
      await page.locator('tr[data-instance="lock-holder"]').waitFor();
      assert.deepEqual(
        (await instanceRows(page)).filter((id) => id.startsWith('@')),
        [],
      );
      // ...unless the ID prefix asks for them; an entity's instance then opens the entity's view.
      const filters = page.getByRole('form', { name: 'Filters' });
      await filters.locator('input[name="prefix"]').fill('@counter@app');
      await filters.getByRole('button', { name: 'Filter' }).click();
      await page.locator('tr[data-instance="@counter@apples"] a').click();
      await page.getByLabel('state').filter({ hasText: '"total": 2' }).waitFor();
      assert.match(page.url(), /#\/entities\/counter\/apples$/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('signals an operation from the page and shows the new state; bad JSON is answered in the page and sends nothing', async () => {
    const id = { name: 'counter', key: 'signalled' };
    await server.host.client.signalEntity(id, 'add', 10);
    const { page, errors, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/dashboard#/entities/counter/signalled`);
      await page.getByLabel('state').filter({ hasText: '"total": 10' }).waitFor();
      const form = page.getByRole('form', { name: 'Signal an operation' });
      await form.locator('input[name="op"]').fill('add');
      await form.locator('textarea[name="input"]').fill('{"amount": ');
      await form.getByRole('alert').filter({ hasText: 'Not valid JSON' }).waitFor();
      assert.equal(await form.getByRole('button', { name: 'Signal…' }).isDisabled(), true, 'bad JSON cannot be sent');

      await form.locator('textarea[name="input"]').fill('5');
      await form.getByRole('button', { name: 'Signal…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Signal add to @counter@signalled with 5?').waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await form.getByRole('button', { name: 'Signal…' }).click();
      await page.getByRole('dialog').locator('[data-confirm]').click();
      await form.getByRole('status').filter({ hasText: "Signalled 'add'" }).waitFor();
      await page.getByLabel('state').filter({ hasText: '"total": 15' }).waitFor();
      assert.deepEqual(await stateOf(id), { total: 15 }, 'one signal reached the entity: the cancelled one sent nothing');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('cuts a long state with a note saying so', async () => {
    await server.host.client.signalEntity({ name: 'doc', key: 'long' }, 'set', 'y'.repeat(70_000));
    const { page, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/dashboard#/entities/doc/long`);
      const note = page.locator('[data-truncated]');
      await note.waitFor();
      assert.match((await note.textContent()) ?? '', /first 65,536 of 70,0\d\d characters/);
      assert.ok(((await page.getByLabel('state').textContent()) ?? '').length < 66_000);
    } finally {
      await context.close();
    }
  });
});

describe('schedules page', () => {
  it('lists schedules; pause, unpause and trigger are reflected; the triggered run links to its instance; delete asks first', async () => {
    const schedules = server.host.client.schedules;
    await schedules.create('hourly-tick', { cron: '0 * * * *', orchestration: 'Tick', input: 'from a schedule' });
    await schedules.create('daily-tick', { everyMs: 86_400_000, orchestration: 'Tick', startPaused: true });
    const { page, errors, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/dashboard`);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Schedules' }).click();
      const hourly = page.locator('article[data-schedule="hourly-tick"]');
      await hourly.locator('[data-field="state"]', { hasText: 'Active' }).waitFor();
      assert.match((await hourly.locator('[data-field="next"]').textContent()) ?? '', /:00:00/);
      await page.locator('article[data-schedule="daily-tick"] [data-field="state"]', { hasText: 'Paused' }).waitFor();

      await act(page, hourly, 'pause');
      await hourly.locator('[data-field="state"]', { hasText: 'Paused' }).waitFor();
      assert.equal((await schedules.describe('hourly-tick')).paused, true);
      assert.equal(await hourly.locator('[data-field="next"]').textContent(), '— (paused)');
      await act(page, hourly, 'unpause');
      await hourly.locator('[data-field="state"]', { hasText: 'Active' }).waitFor();
      assert.equal((await schedules.describe('hourly-tick')).paused, false);

      await act(page, hourly, 'trigger');
      const started = hourly.locator('tr[data-outcome="started"] a');
      await started.waitFor();
      const instanceId = (await started.textContent()) ?? '';
      assert.match(instanceId, /^hourly-tick@\d{4}-/);
      assert.equal((await server.host.client.getStatus(instanceId))?.name, 'Tick');
      await screenshot(page, 'dashboard-schedules');
      await started.click();
      await page.locator('h1 .mono', { hasText: instanceId }).waitFor();
      await page.locator('h1 .badge', { hasText: 'Completed' }).waitFor();

      await page.goto(`${server.url}/dashboard#/schedules`);
      await hourly.locator('[data-action="delete"]').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      assert.equal(
        (await schedules.list()).some((s) => s.name === 'hourly-tick'),
        true,
        'cancel deletes nothing',
      );
      await act(page, hourly, 'delete');
      await hourly.waitFor({ state: 'detached' });
      assert.deepEqual(
        (await schedules.list()).map((s) => s.name),
        ['daily-tick'],
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

async function act(page: Page, schedule: ReturnType<Page['locator']>, action: string): Promise<void> {
  await schedule.locator(`[data-action="${action}"]`).click();
  await page.getByRole('dialog').locator('[data-confirm]').click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
}

async function entityRows(page: Page): Promise<string[]> {
  return page.locator('tr[data-entity]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-entity') ?? ''));
}

async function instanceRows(page: Page): Promise<string[]> {
  return page.locator('tr[data-instance]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-instance') ?? ''));
}
