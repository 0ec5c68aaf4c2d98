/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * report.html opened from disk in headless Chromium (Debian's `chromium`, driven by playwright-core):
 * every chart renders, the x-axis and log toggles redraw, no console error, no request leaves the
 * machine. Runs with `npm run test:browser` (MINIMA_TEST_BROWSER=1); the screenshot is kept in
 * test-artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distBuilt } from '../support/cli.js';
import { browserAvailable, CHROMIUM, launch, screenshot, watchedPage } from '../support/browser.js';
import { fixtureRuns, minimaSync } from '../report/support/fixture-runs.js';

const skip = process.env.MINIMA_TEST_BROWSER !== '1' ? 'set MINIMA_TEST_BROWSER=1 (npm run test:browser)' : !browserAvailable ? `no Chromium at ${CHROMIUM} (apt-get install chromium)` : !distBuilt ? 'dist/ is missing' : false;

test('report.html from disk: every chart renders, toggles redraw, no console error, nothing leaves the machine', { skip, timeout: 600_000 }, async () => {
  const f = fixtureRuns();
  const r = minimaSync(['report', 'runs', '--out', 'out/report.html', '--profile', 'test.accuracy', '--target', '0.8'], f.root);
  assert.equal(r.status, 0, r.stderr);
  const file = join(f.root, 'out', 'report.html');
  const figures = (JSON.parse(/id="minima-data">(.*?)<\/script>/s.exec(readFileSync(file, 'utf8'))![1]!) as { figures: unknown[] }).figures.length;
  const browser = await launch();
  try {
    const w = await watchedPage(browser);
    await w.page.goto(pathToFileURL(file).href);
    await w.page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    assert.equal(await w.page.locator('[data-chart]').count(), figures);
    assert.equal(await w.page.locator('[data-chart] svg.marks').count(), figures, 'every chart drew an SVG');
    for (const kind of ['curve', 'sweep', 'heatmap', 'target', 'profile']) assert.ok(await w.page.locator(`[data-kind="${kind}"] svg.marks`).count() > 0, kind);
    // hovering a point shows its exact logged values
    await w.page.evaluate(() => document.querySelector('[data-kind="curve"]')!.scrollIntoView());
    const points = await w.page.evaluate(() => [...document.querySelectorAll('[data-kind="curve"] .chart g.mark-symbol path')].map((p) => { const r = p.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2] as const; }).filter(([x, y]) => y > 0 && y < 1000 && x > 0));
    assert.ok(points.length > 0);
    await w.page.mouse.move(points[0]![0], points[0]![1]);
    await w.page.waitForSelector('#minima-tip', { state: 'visible' });
    assert.match((await w.page.locator('#minima-tip').textContent())!, /run: \S+\nstep: \d+\nepoch: .*\ntime \(s\): .*\nvalue: [\d.]+/);
    // axis titles as built: the first curve is test.accuracy against step
    const first = w.page.locator('[data-kind="curve"]').first();
    assert.match((await first.locator('svg').textContent()) ?? '', /step.*test\.accuracy|test\.accuracy.*step/s);
    await first.locator('select[data-control="x"]').selectOption('epoch');
    await w.page.waitForFunction(() => document.querySelector('[data-kind="curve"] svg')?.textContent?.includes('epoch'));
    const loss = w.page.locator('[data-kind="curve"]', { hasText: 'test.loss' }).first();
    await loss.locator('input[data-control="log"]').check();
    await w.page.waitForTimeout(300);
    await w.page.selectOption('#x-all', 'time_s');
    await w.page.waitForFunction(() => [...document.querySelectorAll('[data-kind="curve"] svg')].every((s) => s.textContent?.includes('wall time (s)')));
    // the sweep heatmap names both swept keys
    assert.match((await w.page.locator('[data-kind="heatmap"] svg').first().textContent()) ?? '', /optimizer\.lr.*optimizer\.name|optimizer\.name.*optimizer\.lr/s);
    await w.page.selectOption('#x-all', 'step');
    await w.page.waitForTimeout(500);
    await screenshot(w.page, 'report.png');
    assert.deepEqual(w.consoleErrors, []);
    assert.deepEqual(w.offsite, []);
  } finally {
    await browser.close();
  }
});
