/**
 * A real browser for tests: headless Debian Chromium through playwright-core, found (or installed)
 * by scripts/test.ts and handed over as TEST_CHROMIUM_PATH. Without it the test skips, saying why.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

const screenshotsDir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** Runs `use` with a headless Chromium, closed however it ends; skips the test when there is no Chromium. */
export async function withBrowser(t: TestContext, use: (browser: Browser) => Promise<void>): Promise<void> {
  const executablePath = process.env.TEST_CHROMIUM_PATH;
  if (executablePath === undefined || executablePath === '') {
    t.skip(`no Chromium for browser tests: ${process.env.TEST_CHROMIUM_MISSING ?? 'TEST_CHROMIUM_PATH is not set (run through scripts/test.ts)'}`);
    return;
  }
  // As root in a container: no user namespaces for the sandbox, and a small /dev/shm.
  const browser: Browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    await use(browser);
  } finally {
    await browser.close();
  }
}

/**
 * Runs `use` with a fresh page of a headless Chromium, closed however it ends; skips the test when
 * there is no Chromium. An error the page's scripts throw fails the test once `use` is done.
 */
export async function withPage(t: TestContext, use: (page: Page) => Promise<void>, viewport = { width: 1280, height: 860 }): Promise<void> {
  await withBrowser(t, async (browser) => {
    const context = await browser.newContext({ viewport, locale: 'pt-PT', timezoneId: 'Europe/Lisbon' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
    await use(page);
    if (pageErrors.length > 0) throw new Error(`The page threw:\n${pageErrors.join('\n')}`);
  });
}

/**
 * Takes a screenshot of the whole page; returns the file's path. With UPDATE_SCREENSHOTS=1 (`npm run
 * screenshots:update`) it is docs/screenshots/<name>.png, which the README shows; otherwise the run's
 * scratch folder, so a test run leaves the repository as it found it.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const folder = process.env.UPDATE_SCREENSHOTS === '1' ? screenshotsDir : path.join(process.env.TEST_SCRATCH_DIR ?? os.tmpdir(), 'screenshots');
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
