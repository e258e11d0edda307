/**
 * @module test/dashboard/browser
 * Drives Debian's Chromium (`/usr/bin/chromium`, from apt; CI installs it)
 * with playwright-core: no browser download. Collects every page error and
 * console error (a CSP violation is one), so a test can assert there were
 * none.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env['PERDURE_CHROMIUM'] ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI and this machine run the tests as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page errors and console errors seen so far. */
  readonly errors: string[];
}

export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { context, page, errors };
}

/**
 * Saves a screenshot under docs/images/ when PERDURE_UPDATE_SCREENSHOTS=1
 * (how the README's images are made), so ordinary runs leave the tree alone.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env['PERDURE_UPDATE_SCREENSHOTS'] !== '1') return;
  const dir = new URL('../../docs/images/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
