/**
 * Headless Chromium for the browser tests (`npm run test:browser`): Debian's `chromium` package
 * driven by playwright-core (never a downloaded browser). Records console errors, page errors and
 * every request that is not to localhost or a file:/data: URL, and keeps screenshots under
 * test-artifacts/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './cli.js';

export const CHROMIUM = process.env.MINIMA_CHROMIUM ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM);
export const ARTIFACTS = join(repoRoot, 'test-artifacts');

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface Watched {
  readonly page: Page;
  readonly consoleErrors: string[];
  readonly offsite: string[];
}

/** A new page that records console errors, uncaught errors and requests leaving localhost. */
export async function watchedPage(browser: Browser): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleErrors: string[] = [];
  const offsite: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    const local = u.protocol === 'file:' || u.protocol === 'data:' || u.protocol === 'about:' || u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
    if (!local) offsite.push(r.url());
  });
  return { page, consoleErrors, offsite };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}
