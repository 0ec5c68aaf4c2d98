/**
 * `minima runs`, `report` and `plot` on real run folders (a tiny sweep with seeds and one run, made
 * by the built CLI): the table and its filters, a self-contained report.html, figure files, and
 * `runs` over 1000 run folders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runs } from '../../src/commands/runs.js';
import { report } from '../../src/commands/report.js';
import { plot } from '../../src/commands/plot.js';
import { RunnerError } from '../../src/core/errors.js';
import { captureContext } from '../sweep/helpers.js';
import { distBuilt } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { fixtureRuns, minimaSync } from './support/fixture-runs.js';

const skip = distBuilt ? false : 'dist/ is missing: run `npm run build`';

test('minima runs: every run through the sweep, changed keys only, filters, sort, columns, formats', { skip, timeout: 300_000 }, async () => {
  const f = fixtureRuns();
  const c = captureContext(f.root);
  assert.equal(await runs({ dirs: ['runs'], format: 'json' }, c.ctx), 0);
  const all = JSON.parse(c.out()) as { columns: string[]; changed: string[]; runs: Record<string, unknown>[] };
  assert.equal(all.runs.length, 9);
  assert.ok(all.changed.includes('optimizer.lr') && all.changed.includes('seed') && all.changed.includes('model.hidden'), all.changed.join());
  assert.ok(!all.changed.includes('dataset.name') && !all.changed.includes('train.batch_size'), 'unchanged keys are not columns');
  for (const col of ['name', 'status', 'started', 'steps', 'wall_time_s', 'backend', 'test.accuracy', 'best.test.accuracy']) assert.ok(all.columns.includes(col), col);
  assert.ok(all.runs.every((r) => r.status === 'completed' && r.steps === 32 && r.backend === 'cpu'));

  const f2 = captureContext(f.root);
  assert.equal(await runs({ dirs: ['runs/grid'], where: ['optimizer.name==adamw', 'optimizer.lr>0.05'], sort: '-seed', columns: ['name,seed', 'optimizer.lr'], format: 'csv' }, f2.ctx), 0);
  // names are relative to the one folder given
  assert.equal(f2.out(), 'name,seed,optimizer.lr\n07-lr0.1-adamw-s1,1,0.1\n06-lr0.1-adamw-s0,0,0.1\n');

  const f3 = captureContext(f.root);
  await runs({ dirs: ['runs'], where: ['test.accuracy>2'] }, f3.ctx);
  assert.match(f3.err(), /no runs match/);

  const md = captureContext(f.root);
  await runs({ dirs: ['runs/single'], format: 'markdown' }, md.ctx);
  assert.match(md.out(), /^\| name \| status \|/);
  await assert.rejects(runs({ dirs: ['runs'], where: ['no operator'] }, captureContext(f.root).ctx), (e) => e instanceof RunnerError && e.code === 'USAGE');
  await assert.rejects(runs({ dirs: ['nowhere'] }, captureContext(f.root).ctx), (e) => e instanceof RunnerError && e.code === 'RUN_NOT_FOUND');
  // through the CLI: exit codes
  assert.equal(minimaSync(['runs', 'runs', '--where', 'bad'], f.root).status, 2);
  const cli = minimaSync(['runs', 'runs', '--where', 'optimizer.name==sgd', '--columns', 'name,optimizer.name'], f.root);
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stdout.trim().split('\n').length, 1 + 4 + 1, cli.stdout); // header, 4 sgd trials, the single run (sgd)
});

test('minima runs reads summaries, not metrics: 1000 run folders in a few seconds', { skip, timeout: 300_000 }, async () => {
  const f = fixtureRuns();
  await withTmpDir(async (tmp) => {
    const src = join(f.sweepDir, readdirSync(f.sweepDir).find((n) => n.startsWith('00-'))!);
    for (let i = 0; i < 1000; i++) {
      const d = join(tmp, 'many', `run-${String(i).padStart(4, '0')}`);
      mkdirSync(d, { recursive: true });
      for (const file of ['config.yaml', 'meta.json', 'summary.json', 'status']) cpSync(join(src, file), join(d, file));
      // metrics.jsonl is a folder here: reading it would throw EISDIR
      mkdirSync(join(d, 'metrics.jsonl'));
      writeFileSync(join(d, 'config.yaml'), readFileSync(join(d, 'config.yaml'), 'utf8').replace(/^seed: \d+/m, `seed: ${i}`));
    }
    const c = captureContext(tmp);
    const t0 = performance.now();
    assert.equal(await runs({ dirs: ['many'], format: 'csv', columns: ['name', 'seed'] }, c.ctx), 0);
    const ms = performance.now() - t0;
    assert.equal(c.out().trim().split('\n').length, 1001);
    // about 2 s of CPU on one core; generous for a loaded CI machine
    assert.ok(ms < 15_000, `took ${ms.toFixed(0)} ms`);
  });
});

test('minima report: one self-contained HTML file with curves, seed bands, sweep figures, profile and links', { skip, timeout: 300_000 }, async () => {
  const f = fixtureRuns();
  const out = join(f.root, 'out', 'report.html');
  const c = captureContext(f.root);
  assert.equal(await report({ paths: ['runs'], out: 'out/report.html', profile: 'test.accuracy', target: '0.8' }, c.ctx), 0);
  const html = readFileSync(out, 'utf8');
  // self-contained: no external script, stylesheet, image or fetch; a CSP forbids the network
  assert.doesNotMatch(html, /<script[^>]+src=/i);
  assert.doesNotMatch(html, /<link[^>]+href=/i);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.ok(html.includes('vega-lite') && html.length > 700_000, 'vega and vega-lite are inlined');
  const data = JSON.parse(/<script type="application\/json" id="minima-data">(.*?)<\/script>/s.exec(html)![1]!) as { figures: { kind: string; title: string; spec: { datasets?: { band?: unknown[] } } }[] };
  const kinds = data.figures.map((x) => x.kind);
  for (const k of ['curve', 'sweep', 'heatmap', 'target', 'profile']) assert.ok(kinds.includes(k), k);
  const acc = data.figures.find((x) => x.kind === 'curve' && x.title === 'test.accuracy')!;
  assert.ok((acc.spec.datasets?.band?.length ?? 0) > 0, 'runs that differ only by seed get a mean ± std band');
  assert.ok(data.figures.some((x) => x.title === 'train.loss (per step)'), 'per-step rows apart from eval rows');
  assert.match(html, /href="\.\.\/runs\/grid\/00-lr0\.01-sgd-s0\/"/, 'links to run folders, relative to the report');
  assert.match(html, /Config keys that differ<\/h2>.*optimizer\.lr/s);
  // filters and errors
  const only = captureContext(f.root);
  assert.equal(await report({ paths: ['runs'], out: 'out/sgd.html', where: ['optimizer.name==sgd'], metric: ['test.loss'] }, only.ctx), 0);
  const sgd = readFileSync(join(f.root, 'out', 'sgd.html'), 'utf8');
  const sgdData = JSON.parse(/id="minima-data">(.*?)<\/script>/s.exec(sgd)![1]!) as { figures: { kind: string }[] };
  assert.equal(sgdData.figures.filter((x) => x.kind === 'curve').length, 1);
  await assert.rejects(report({ paths: ['runs'], out: 'x.html', profile: 'test.accuracy' }, captureContext(f.root).ctx), (e) => e instanceof RunnerError && e.code === 'USAGE');
  await assert.rejects(report({ paths: ['runs'], out: 'x.html', where: ['steps>1000'] }, captureContext(f.root).ctx), (e) => e instanceof RunnerError && e.code === 'RUN_NOT_FOUND');
});

test('minima plot: SVG, PNG at a DPI and vector PDF without a browser; paper style is serif', { skip, timeout: 300_000 }, async () => {
  const f = fixtureRuns();
  const ctx = () => captureContext(f.root).ctx;
  assert.equal(await plot({ paths: ['runs/grid'], metric: 'test.loss', out: 'fig/a.svg', style: 'paper' }, ctx()), 0);
  const svg = readFileSync(join(f.root, 'fig/a.svg'), 'utf8');
  assert.match(svg, /^<svg [^>]*width="(\d+)"/);
  assert.match(svg, /font-family="DejaVu Serif, [^"]*serif"/);
  assert.match(svg, />test\.loss</);
  assert.equal(await plot({ paths: ['runs/grid'], metric: 'test.loss', out: 'fig/a72.png', dpi: '72' }, ctx()), 0);
  assert.equal(await plot({ paths: ['runs/grid'], metric: 'test.loss', out: 'fig/a144.png', dpi: '144' }, ctx()), 0);
  const png72 = readFileSync(join(f.root, 'fig/a72.png')), png144 = readFileSync(join(f.root, 'fig/a144.png'));
  assert.deepEqual([...png72.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = (b: Buffer) => b.readUInt32BE(16);
  assert.ok(Math.abs(width(png144) - 2 * width(png72)) <= 1, `${width(png72)} → ${width(png144)}`);
  assert.equal(await plot({ paths: ['runs/grid'], metric: 'best.test.accuracy', kind: 'heatmap', out: 'fig/h.pdf', style: 'paper' }, ctx()), 0);
  const pdf = readFileSync(join(f.root, 'fig/h.pdf'));
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.match(pdf.toString('latin1'), /\/Type \/Page\b/);
  assert.equal(await plot({ paths: ['runs'], metric: 'test.accuracy', kind: 'profile', target: '0.8', out: 'fig/p.svg' }, ctx()), 0);
  assert.match(readFileSync(join(f.root, 'fig/p.svg'), 'utf8'), /performance profile/);
  assert.equal(await plot({ paths: ['runs/grid'], metric: 'best.test.accuracy', kind: 'sweep', param: 'optimizer.lr', out: 'fig/s.svg' }, ctx()), 0);
  await assert.rejects(plot({ paths: ['runs'], metric: 'test.nope', out: 'x.svg' }, ctx()), (e) => e instanceof RunnerError && /logged: /.test(e.message));
  await assert.rejects(plot({ paths: ['runs'], metric: 'test.loss', out: 'x.gif' }, ctx()), (e) => e instanceof RunnerError && e.code === 'USAGE');
  const cli = minimaSync(['plot', 'runs/grid', '--metric', 'train.loss', '--x', 'time', '--log-y', '--out', 'fig/cli.svg'], f.root);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(readFileSync(join(f.root, 'fig/cli.svg'), 'utf8'), />wall time \(s\)</);
});
