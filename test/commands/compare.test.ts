import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compareMetrics } from '../../src/expect/compare-runs.js';
import { compare } from '../../src/commands/compare.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext, writeRun } from '../sweep/helpers.js';

/** 3 train rows and 1 test row; time_s differs between runs on purpose (timing never reproduces). */
function rows(lossAt20: number, time = 0): Record<string, unknown>[] {
  return [
    { step: 10, epoch: 0, split: 'train', loss: 0.9, accuracy: 0.5, lr: 0.1, grad_evals: 10, time_s: 1 + time },
    { step: 20, epoch: 0, split: 'train', loss: lossAt20, accuracy: 0.6, lr: 0.1, grad_evals: 20, time_s: 2 + time },
    { step: 20, epoch: 0, split: 'test', loss: 0.7, accuracy: 0.65, time_s: 2.1 + time },
    { step: 30, epoch: 1, split: 'train', loss: 0.5, accuracy: 0.7, lr: 0.1, grad_evals: 30, time_s: 3 + time },
  ];
}
const opts = { rtol: 0, atol: 0, metrics: [], ignore: [] };

test('compareMetrics: identical trajectories match whatever their timing', () => {
  const r = compareMetrics(rows(0.8) as never, rows(0.8, 5) as never, opts);
  assert.equal(r.ok, true);
  assert.equal(r.rows, 4);
  assert.deepEqual(r.keys, ['accuracy', 'epoch', 'grad_evals', 'loss', 'lr']);
});

test('compareMetrics: reports the first differing step and honours rtol/atol', () => {
  // 0.8 vs 0.8000004: |diff| = 4e-7; rtol 1e-6 allows 1e-6 * 0.8000004 ≈ 8e-7, so it matches; rtol 1e-7 allows 8e-8, so it fails.
  const b = rows(0.8000004);
  assert.equal(compareMetrics(rows(0.8) as never, b as never, { ...opts, rtol: 1e-6 }).ok, true);
  const r = compareMetrics(rows(0.8) as never, b as never, { ...opts, rtol: 1e-7 });
  assert.equal(r.ok, false);
  assert.equal(r.differingRows, 1);
  assert.deepEqual([r.first!.step, r.first!.split, r.first!.key], [20, 'train', 'loss']);
  assert.ok(Math.abs(r.first!.absDiff! - 4e-7) < 1e-12);
  // atol alone: 5e-7 covers 4e-7
  assert.equal(compareMetrics(rows(0.8) as never, b as never, { ...opts, atol: 5e-7 }).ok, true);
  // restricting to accuracy ignores the loss difference
  assert.equal(compareMetrics(rows(0.8) as never, b as never, { ...opts, metrics: ['accuracy'] }).ok, true);
  assert.equal(compareMetrics(rows(0.8) as never, b as never, { ...opts, ignore: ['loss'] }).ok, true);
});

test('compareMetrics: a missing row, a missing key, NaN vs NaN and a resumed run', () => {
  const short = rows(0.8).slice(0, 3);
  const r = compareMetrics(rows(0.8) as never, short as never, opts);
  assert.equal(r.ok, false);
  assert.deepEqual([r.first!.step, r.first!.key, r.first!.b], [30, '(row)', 'missing']);

  const noLr = rows(0.8).map((x) => { const { lr: _lr, ...rest } = x; return rest; });
  assert.equal(compareMetrics(rows(0.8) as never, noLr as never, opts).first!.key, 'lr');

  // null is how JSON stores NaN: two diverged runs agree
  assert.equal(compareMetrics(rows(null as never) as never, rows(null as never) as never, opts).ok, true);
  assert.equal(compareMetrics(rows(0.8) as never, rows(null as never) as never, opts).ok, false);

  // resumed from step 10 after a kill at step 20: step 20 appears twice, the later row counts
  const resumed = [...rows(0.1).slice(0, 2), ...rows(0.8).slice(1)];
  assert.equal(compareMetrics(rows(0.8) as never, resumed as never, opts).ok, true);
});

test('minima compare exits 0 on a reproduction and 4 showing the first differing step', async () => {
  await withTmpDir(async (tmp) => {
    writeRun(join(tmp, 'a'), { status: 'completed', metrics: rows(0.8) });
    writeRun(join(tmp, 'b'), { status: 'completed', metrics: rows(0.8, 1) });
    writeRun(join(tmp, 'c'), { status: 'completed', metrics: rows(0.8001) });
    let c = captureContext(tmp);
    assert.equal(await compare({ runA: 'a', runB: 'b' }, c.ctx), 0);
    assert.match(c.out(), /^runs match: 4 rows, 5 metrics/);

    c = captureContext(tmp);
    assert.equal(await compare({ runA: 'a', runB: 'c', rtol: 1e-6 }, c.ctx), 4);
    assert.match(c.out(), /runs differ beyond rtol 1e-6, atol 0: first differing step 20 \(train\); 1 of 4 rows differ/);
    assert.match(c.out(), /step 20 train loss: A 0\.8, B 0\.8001 \(\|diff\| 1\.000e-4 > tol 8\.001e-7\)/);

    c = captureContext(tmp);
    assert.equal(await compare({ runA: 'a', runB: 'c', rtol: '1e-3' as never, json: true }, c.ctx), 0);
    assert.equal((JSON.parse(c.out()) as { ok: boolean }).ok, true);

    writeRun(join(tmp, 'd'), { status: 'diverged', metrics: rows(0.8) });
    c = captureContext(tmp);
    assert.equal(await compare({ runA: 'a', runB: 'd' }, c.ctx), 4);
    assert.match(c.out(), /status differs: completed vs diverged/);

    await assert.rejects(compare({ runA: 'a', runB: 'missing' }, captureContext(tmp).ctx), { code: 'RUN_NOT_FOUND' });
    writeRun(join(tmp, 'empty'), { status: 'running' });
    await assert.rejects(compare({ runA: 'a', runB: 'empty' }, captureContext(tmp).ctx), /no metrics\.jsonl rows/);
  });
});
