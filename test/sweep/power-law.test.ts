/** Power-law fits L(x) = E + A·x^(−α): exact recovery, bootstrap intervals, and the sweep-level report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapPowerLaw, fitPowerLaw, predict } from '../../src/sweep/power-law.js';
import { fitLearningCurves } from '../../src/sweep/learning-curve.js';
import type { TrialRecord } from '../../src/sweep/sweep-dir.js';
import { Rng } from '../../src/core/random.js';

const XS = [500, 1000, 2000, 4000, 8000];
const law = (x: number) => 0.05 + 3 * x ** -0.4;

test('recovers E, A and α of an exact power law', () => {
  const f = fitPowerLaw(XS, XS.map(law));
  assert.ok(Math.abs(f.alpha - 0.4) < 1e-4, `α ${f.alpha}`);
  assert.ok(Math.abs(f.E - 0.05) < 1e-4, `E ${f.E}`);
  assert.ok(Math.abs(f.A - 3) < 2e-3, `A ${f.A}`);
  assert.ok(f.rss < 1e-12);
  assert.ok(Math.abs(predict(f, 16000) - law(16000)) < 1e-5);
});

test('refuses fewer than 3 distinct x, x ≤ 0 and non-finite y', () => {
  assert.throws(() => fitPowerLaw([1, 1, 2], [1, 2, 3]), /at least 3 distinct x/);
  assert.throws(() => fitPowerLaw([0, 1, 2], [1, 2, 3]), /positive/);
  assert.throws(() => fitPowerLaw([1, 2, 3], [1, Number.NaN, 3]), /finite/);
});

test('bootstrap: 95% intervals cover the true α with noise, are deterministic, and use cases within x when seeds repeat', () => {
  const rng = new Rng(7);
  const x: number[] = [];
  const y: number[] = [];
  for (const v of XS) for (let s = 0; s < 3; s++) { x.push(v); y.push(law(v) * (1 + 0.01 * rng.normal())); }
  const b = bootstrapPowerLaw(x, y, 300, 0);
  assert.equal(b.method, 'cases');
  assert.ok(b.alpha.lo < 0.4 && 0.4 < b.alpha.hi, `α interval [${b.alpha.lo}, ${b.alpha.hi}]`);
  assert.ok(b.alpha.hi - b.alpha.lo < 0.5);
  assert.deepEqual(bootstrapPowerLaw(x, y, 300, 0), b);
  assert.equal(bootstrapPowerLaw(XS, XS.map(law), 50, 0).method, 'residuals');
});

test('sweep report: one curve per other setting, α per seed, accuracy fitted as error, extrapolation beyond fit_max', () => {
  const records: TrialRecord[] = [];
  let i = 0;
  for (const opt of ['sgd', 'adam']) for (const n of XS) for (const seed of [0, 1, 2]) {
    const err = (opt === 'sgd' ? 1 : 0.5) * law(n) * (1 + 0.001 * seed);
    records.push({ index: i, id: `t${i}`, run_dir: `t${i}`, params: { 'optimizer.name': opt, 'dataset.train_size': n, seed }, status: 'completed', attempts: 1, updated_at: '', final: { 'test.accuracy': 1 - err } });
    i++;
  }
  records.push({ index: i, id: 'failed', run_dir: 'f', params: { 'optimizer.name': 'sgd', 'dataset.train_size': 500, seed: 3 }, status: 'failed', attempts: 1, updated_at: '' });
  const r = fitLearningCurves(records, { x: 'dataset.train_size', metric: 'test.accuracy', resamples: 100, seed: 0, fitMax: 4000 });
  assert.equal(r.fitted, '1 − test.accuracy');
  assert.equal(r.curves.length, 2);
  for (const c of r.curves) {
    assert.equal(c.points.length, 15);
    assert.ok(Math.abs(c.fit.alpha - 0.4) < 0.01, `${c.label} α ${c.fit.alpha}`);
    assert.equal(c.per_seed.length, 3);
    assert.ok(c.alpha_across_seeds!.std < 0.01);
    assert.equal(c.extrapolation.length, 1);
    assert.equal(c.extrapolation[0]!.x, 8000);
    assert.ok(Math.abs(c.extrapolation[0]!.relative_error) < 0.01);
  }
  assert.throws(() => fitLearningCurves(records, { x: 'model.width', metric: 'test.loss', resamples: 10, seed: 0 }), /not a swept key.*dataset\.train_size/);
  assert.throws(() => fitLearningCurves(records, { x: 'dataset.train_size', metric: 'test.nll', resamples: 10, seed: 0 }), /no completed trial has test\.nll/);
});

test('`sweep summary --fit power-law` prints the fit and writes fits/*.json, .svg and .png into the sweep folder', async () => {
  const { writeFileSync, readFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { sweep } = await import('../../src/commands/sweep.js');
  const { sweepSummary } = await import('../../src/commands/sweep-summary.js');
  const { withTmpDir } = await import('../support/tmp-dir.js');
  const { captureContext } = await import('./helpers.js');
  const { fakeResolve, FAKE_BIN } = await import('./fixtures/fake-config.js');
  await withTmpDir(async (tmp) => {
    writeFileSync(join(tmp, 'lc.yaml'), 'name: lc\nbase: base.yaml\ngrid:\n  optimizer.lr: [0.1, 0.2, 0.4, 0.8]\nseeds: [0, 1]\n');
    assert.equal(await sweep({ sweep: 'lc.yaml', workers: 2, resolveConfig: fakeResolve, binPath: FAKE_BIN, pollMs: 20 }, captureContext(tmp).ctx), 0);
    const c = captureContext(tmp);
    assert.equal(await sweepSummary({ sweepDir: 'runs/lc', fit: 'power-law', x: 'optimizer.lr', metric: 'train.loss', bootstrap: 50 }, c.ctx), 0);
    assert.match(c.out(), /^power-law fit train\.loss = E \+ A·x\^\(−α\), x = optimizer\.lr\nall trials: 8 trials\n {2}α = [0-9.]+ \[/);
    assert.match(c.out(), /per seed α: 0: [0-9.]+, 1: [0-9.]+/);
    const base = join(tmp, 'runs/lc/fits/power-law-optimizer.lr-train.loss');
    const report = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { curves: { points: unknown[] }[] };
    assert.equal(report.curves[0]!.points.length, 8);
    assert.match(readFileSync(`${base}.svg`, 'utf8'), /<svg/);
    assert.ok(existsSync(`${base}.png`));
    const bad = captureContext(tmp);
    await assert.rejects(sweepSummary({ sweepDir: 'runs/lc', fit: 'power-law', x: 'model.width' }, bad.ctx), /not a swept key/);
    await assert.rejects(sweepSummary({ sweepDir: 'runs/lc', fit: 'power-law' }, bad.ctx), /needs --x/);
  });
});
