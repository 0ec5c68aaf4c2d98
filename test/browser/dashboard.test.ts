/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `minima serve` in headless Chromium, as a person would use it: the run table, a filter, two runs
 * selected and their curves overlaid, a run's page, the sweep's figures, and a live run whose curve
 * grows while it trains, without a reload. No console error, no request leaves localhost, traversal
 * refused. Runs with `npm run test:browser`; screenshots are kept in test-artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { minimaAsync, distBuilt, repoRoot } from '../support/cli.js';
import { browserAvailable, CHROMIUM, launch, screenshot, watchedPage } from '../support/browser.js';
import { fixtureRuns } from '../report/support/fixture-runs.js';

const skip = process.env.MINIMA_TEST_BROWSER !== '1' ? 'set MINIMA_TEST_BROWSER=1 (npm run test:browser)' : !browserAvailable ? `no Chromium at ${CHROMIUM} (apt-get install chromium)` : !distBuilt ? 'dist/ is missing' : false;

test('dashboard: table, filter, overlay of two runs, run page, sweep figures, a live curve that grows', { skip, timeout: 600_000 }, async () => {
  const f = fixtureRuns();
  const serve = minimaAsync(['serve', f.runsDir, '--port', '0'], f.root);
  // a live run: long enough to watch (thousands of steps on tiny moons), a row every 4 steps
  const live = minimaAsync(['run', join(repoRoot, 'configs/test/tiny-moons.yaml'), 'train.epochs=400', 'train.log_every=4', 'train.eval_every=64', '--run-dir', join(f.runsDir, 'live'), '--quiet'], f.root);
  const browser = await launch();
  try {
    let out = '';
    serve.stdout!.setEncoding('utf8');
    while (!/http:\/\/\S+/.test(out)) out += (await once(serve.stdout!, 'data'))[0] as string;
    const url = /http:\/\/\S+/.exec(out)![0];
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'binds to localhost');
    const w = await watchedPage(browser);
    await w.page.goto(url);
    await w.page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await w.page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length === 10, undefined, { timeout: 60_000 });
    const head = await w.page.locator('#runs-table thead').textContent();
    for (const col of ['name', 'status', 'optimizer.lr', 'optimizer.name', 'seed', 'test.accuracy']) assert.ok(head!.includes(col), col);

    // filter, then clear it
    await w.page.fill('#filter', 'optimizer.name==adamw; optimizer.lr>0.05');
    await w.page.press('#filter', 'Enter');
    await w.page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length === 2);
    await w.page.fill('#filter', '');
    await w.page.click('#apply');
    await w.page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length === 10);

    // select two runs: their curves overlaid, axis titles right
    await w.page.check('input.select[data-run="grid/00-lr0.01-sgd-s0"]');
    await w.page.check('input.select[data-run="grid/06-lr0.1-adamw-s0"]');
    await w.page.waitForFunction(() => document.querySelector('#chart svg.marks')?.textContent?.includes('optimizer.name=adamw'), undefined, { timeout: 60_000 });
    const svg = (await w.page.locator('#chart svg').textContent())!;
    assert.match(svg, /step/);
    assert.match(svg, /optimizer\.name=sgd optimizer\.lr=0\.01(?! optimizer\.momentum)/, 'the legend names the runs by what differs');
    assert.equal(await w.page.locator('#chart svg path[aria-roledescription="line mark"], #chart svg g.mark-line path').count() >= 2, true, 'two curves');
    await w.page.selectOption('#x', 'epoch');
    await w.page.waitForFunction(() => document.querySelector('#chart svg')?.textContent?.includes('epoch'));
    await w.page.selectOption('#x', 'step');

    // a run's page
    await w.page.click('#runs-table a.run-link >> text=grid/06-lr0.1-adamw-s0');
    await w.page.waitForSelector('#run-detail:not([hidden])');
    assert.match((await w.page.locator('#run-config').textContent())!, /name: adamw/);
    assert.match((await w.page.locator('#run-body').textContent())!, /checkpoints/);

    // the sweep: a figure per varied key and the heatmap
    await w.page.waitForFunction(() => document.querySelectorAll('.sweep .chart svg.marks').length === 3, undefined, { timeout: 60_000 });
    assert.equal(await w.page.locator('.sweep .chart[data-kind="heatmap"] svg').count(), 1);
    await screenshot(w.page, 'dashboard.png');

    // the live run: select it alone, per-step loss; the curve grows without a reload
    await w.page.click('#select-none');
    await w.page.waitForSelector('tr[data-run="live"]', { timeout: 60_000 });
    await w.page.check('input.select[data-run="live"]');
    await w.page.waitForFunction(() => [...document.querySelectorAll('#metric option')].some((o) => (o as HTMLOptionElement).value === 'step:train.loss'), undefined, { timeout: 60_000 });
    await w.page.selectOption('#metric', 'step:train.loss');
    await w.page.waitForFunction(() => Number(document.getElementById('chart')!.dataset.rows) > 0, undefined, { timeout: 60_000 });
    const before = Number(await w.page.getAttribute('#chart', 'data-rows'));
    await w.page.waitForFunction((n) => Number(document.getElementById('chart')!.dataset.rows) > n + 5, before, { timeout: 120_000 });
    const after = Number(await w.page.getAttribute('#chart', 'data-rows'));
    assert.ok(after > before, `${before} → ${after}`);
    assert.match((await w.page.locator('#chart-note').textContent())!, /live/);
    assert.match((await w.page.locator('tr[data-run="live"]').textContent())!, /running/);
    await screenshot(w.page, 'dashboard-live.png');

    // traversal through the page's own origin is refused
    const statuses = await w.page.evaluate(async () => Promise.all(['/files/..%2f..%2fetc%2fpasswd', '/files/%2e%2e/%2e%2e/etc/passwd', '/files//etc/passwd'].map(async (p) => (await fetch(p)).status)));
    for (const s of statuses) assert.ok(s === 403 || s === 404, String(s));
    assert.deepEqual(w.consoleErrors.filter((e) => !/status of 40[34]/.test(e)), []);
    assert.deepEqual(w.offsite, []);
  } finally {
    await browser.close();
    live.kill('SIGTERM');
    serve.kill('SIGTERM');
    await Promise.all([live.exitCode === null ? once(live, 'exit') : undefined, serve.exitCode === null ? once(serve, 'exit') : undefined]);
  }
});
