/**
 * The training-loop features of issue 18: gradient accumulation (train.accumulate), skipping
 * non-finite steps (train.on_nonfinite), SWA (train.swa and the swa schedule). Each: the semantics
 * by hand or against the plain loop, a run that resumes bit-identically, bad options rejected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tf } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { createOptimizer } from '../../src/optim/index.js';
import { scheduleRegistry } from '../../src/optim/index.js';
import { swaDue } from '../../src/train/swa.js';
import { loadExperiment } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { blobs, checkpointTensors, resumeTiny, rowsOf, runTiny, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy } from './harness.js';
import { disposeParams, makeParams } from '../optim/helpers.js';

const close = (a: readonly number[], b: readonly number[], tol: number, what: string): void =>
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol * Math.max(1, Math.abs(v)), `${what}[${i}]: ${v} vs ${b[i]}`));

/* ---------------- accumulate ---------------- */

test('accumulate 2 (no BN, no dropout) follows the whole-batch trajectory up to float32 rounding, sgd and sam alike, mixup too', async () => {
  await withTmpDir(async (tmp) => {
    const cases = [
      { optimizer: { name: 'sgd', lr: 0.2, momentum: 0.9 }, mix: {} },
      { optimizer: { name: 'sam', rho: 0.1, base: { name: 'sgd', lr: 0.2 } }, mix: {} },
      // the micro-batches keep the mixed rows' soft targets (they once fell back to the hard labels)
      { optimizer: { name: 'sgd', lr: 0.2, momentum: 0.9 }, mix: { mix: { mixup_alpha: 0.4 } }, loss: { name: 'soft-target-ce' } },
    ];
    for (const [i, { optimizer, mix, loss }] of cases.entries()) {
      const part = { optimizer, ...(loss ? { loss } : {}) };
      const one = await runTiny(tmp, `one-${i}`, tinyConfig({ ...part, train: { steps: 6, checkpoint_every: 6, ...mix } }));
      const two = await runTiny(tmp, `two-${i}`, tinyConfig({ ...part, train: { steps: 6, checkpoint_every: 6, accumulate: 2, ...mix } }));
      assert.equal(one.code, 0, one.stderr);
      assert.equal(two.code, 0, two.stderr);
      const a = checkpointTensors(one.dir, 6), b = checkpointTensors(two.dir, 6);
      for (const k of Object.keys(a).filter((x) => x.startsWith('model/'))) close(Array.from(a[k]!), Array.from(b[k]!), 1e-5, k);
      // grad_evals counts evaluations of the step's batch, whatever the micro-batches
      assert.deepEqual(trainRows(two.dir).map((r) => r.grad_evals), trainRows(one.dir).map((r) => r.grad_evals));
      close(trainRows(two.dir).map((r) => r.loss as number), trainRows(one.dir).map((r) => r.loss as number), 1e-5, 'loss');
    }
  });
});

test('accumulate 2 with BatchNorm and SAM resumes bit-identically; the micro-batches move the BN statistics twice per step', async () => {
  await withTmpDir(async (tmp) => {
    const cfg = tinyConfig({ model: { name: 'mlp', hidden: [8], batch_norm: true }, optimizer: { name: 'sam', base: { name: 'sgd', lr: 0.1, momentum: 0.9 } }, train: { steps: 6, accumulate: 2, eval_every: 2 } });
    const full = await runTiny(tmp, 'acc', cfg);
    assert.equal(full.code, 0, full.stderr);
    const plain = await runTiny(tmp, 'acc1', { ...cfg, train: { ...(cfg.train as object), accumulate: 1 } });
    const bnKey = Object.keys(checkpointTensors(full.dir, 2)).find((k) => k.includes('running_mean'))!;
    assert.notDeepEqual(checkpointTensors(full.dir, 2)[bnKey], checkpointTensors(plain.dir, 2)[bnKey]);
    const cut = truncatedCopy(full.dir, 2, join(tmp, 'acc-cut'));
    const resumed = await resumeTiny(tmp, cut);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(trajectory(cut), trajectory(full.dir));
    assert.ok(tensorsBin(cut, 6).equals(tensorsBin(full.dir, 6)));
    assert.equal(new Set(full.stepTensors).size, 1, `tensors per step: ${full.stepTensors.join(' ')}`);
  });
});

test('batch_size not a multiple of accumulate is a config issue at train.accumulate', async () => {
  await withTmpDir(async (tmp) => {
    const file = join(tmp, 'bad.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, `name: bad\ndataset: {name: blobs}\nmodel: {name: mlp}\nloss: {name: cross-entropy}\noptimizer: {name: sgd}\ntrain:\n  steps: 2\n  batch_size: 8\n  accumulate: 3\n`);
    await assert.rejects(loadExperiment(file, [], { cwd: tmp }), (e: unknown) => e instanceof ConfigError && /train\.accumulate/.test((e as Error).message) && /bad\.yaml:\d+/.test((e as Error).message));
  });
});

/* ---------------- on_nonfinite ---------------- */

test('facade with skipNonFinite: a NaN step leaves parameters and state unchanged and reports skipped 1', () => {
  const params = makeParams([{ value: [1, 2], role: 'kernel' }]);
  const opt = createOptimizer({ name: 'adam', lr: 0.1 }, params, { skipNonFinite: true });
  const v = params[0]!.variable;
  const good = () => ({ loss: tf.sum(tf.square(v)) as tf.Scalar, grads: [tf.mul(2, v)] });
  const bad = () => ({ loss: tf.scalar(Number.NaN), grads: [tf.fill([2], Number.NaN)] });
  const stepOnce = (c: typeof good) => tf.tidy(() => { const r = opt.step(c); return r.diagnostics!['skipped']!.dataSync()[0]; });
  assert.equal(stepOnce(good), 0);
  const before = Array.from(v.dataSync());
  const stateBefore = Object.fromEntries(Object.entries(opt.getState()).map(([k, t]) => [k, Array.from(t.dataSync())]));
  const tensors = tf.memory().numTensors;
  assert.equal(stepOnce(bad), 1);
  assert.deepEqual(Array.from(v.dataSync()), before);
  assert.deepEqual(Object.fromEntries(Object.entries(opt.getState()).map(([k, t]) => [k, Array.from(t.dataSync())])), stateBefore);
  assert.equal(stepOnce(good), 0);
  assert.notDeepEqual(Array.from(v.dataSync()), before);
  assert.ok(tf.memory().numTensors <= tensors + 4, 'flat apart from the getState clones above');
  opt.dispose();
  disposeParams(params);
});

test('on_nonfinite: stop fails the run; skip finishes it with skipped_steps counted and finite weights', async () => {
  await withTmpDir(async (tmp) => {
    // lr 1e20 overflows float32 within a few steps
    const cfg = (mode: string) => tinyConfig({ optimizer: { name: 'sgd', lr: 1e20 }, train: { steps: 6, on_nonfinite: mode, checkpoint_every: 6 } });
    const stop = await runTiny(tmp, 'stop', cfg('stop'));
    assert.notEqual(stop.code, 0);
    const skip = await runTiny(tmp, 'skip', cfg('skip'));
    assert.equal(skip.code, 0, skip.stderr);
    const rows = trainRows(skip.dir);
    const skipped = rows.reduce((s, r) => s + (r.skipped_steps as number), 0);
    assert.ok(skipped > 0, `skipped ${skipped}`);
    for (const [k, t] of Object.entries(checkpointTensors(skip.dir, 6))) if (k.startsWith('model/')) assert.ok(t.every(Number.isFinite), k);
    // a run in stop mode writes no skipped_steps field
    const ok = await runTiny(tmp, 'plain', tinyConfig({}));
    assert.ok(trainRows(ok.dir).every((r) => !('skipped_steps' in r)));
  });
});

/* ---------------- SWA ---------------- */

test('swa schedule: timgaripov/swa schedule() by hand; swaDue', () => {
  const s = scheduleRegistry.build(scheduleRegistry.resolve({ name: 'swa', swa_start: 10, swa_lr: 0.01 }, ['schedule']), ['schedule'], { baseLr: 0.1, totalSteps: 200, stepsPerEpoch: 10 });
  assert.equal(s(0), 0.1); // epoch 0: t 0
  assert.equal(s(59), 0.1); // epoch 5: t 0.5
  assert.ok(Math.abs(s(70) - 0.1 * (1 - (1 - 0.1) * 0.2 / 0.4)) < 1e-15); // epoch 7: t 0.7
  assert.ok(Math.abs(s(90) - 0.01) < 1e-15); // epoch 9: t 0.9
  assert.ok(Math.abs(s(150) - 0.01) < 1e-15);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((e) => swaDue({ start: 2, every: 2 }, e)), [false, true, false, true, false, true]);
});

test('swa: the average of the epoch-end weights by hand, rows from the start epoch, training unchanged, resume bit-identical', async () => {
  await withTmpDir(async (tmp) => {
    // 24 rows, batch 8: 3 steps an epoch; 4 epochs; average after epochs 2, 3, 4
    const base = { model: { name: 'mlp', hidden: [8], batch_norm: true }, optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 } };
    const train = { steps: 12, checkpoint_every: 3, eval_every: 3, eval_splits: ['train', 'test'] };
    const plain = await runTiny(tmp, 'plain', tinyConfig({ ...base, train }));
    const swa = await runTiny(tmp, 'swa', tinyConfig({ ...base, train: { ...train, swa: { start: 2 } } }));
    assert.equal(swa.code, 0, swa.stderr);
    const own = (dir: string) => trajectory(dir).filter((r) => r.split === 'train' || r.split === 'test');
    assert.deepEqual(own(swa.dir), own(plain.dir));
    assert.deepEqual(rowsOf(swa.dir).filter((r) => String(r.split) === 'test_swa').map((r) => r.step), [6, 9, 12]);
    const at = (step: number) => checkpointTensors(plain.dir, step);
    const fin = checkpointTensors(swa.dir, 12);
    for (const k of Object.keys(at(12)).filter((x) => x.startsWith('model/'))) {
      const [a, b, c] = [at(6)[k]!, at(9)[k]!, at(12)[k]!];
      // α = 1, 1/2, 1/3 in float32: avg₁ = a; avg₂ = a·½ + b·½; avg₃ = avg₂·⅔ + c·⅓
      const f = Math.fround;
      const expected = Array.from(a, (ai, i) => { const m2 = f(f(ai * 0.5) + f(b[i]! * 0.5)); return f(f(m2 * f(1 - 1 / 3)) + f(c[i]! * f(1 / 3))); });
      close(Array.from(fin[`paramset/swa/${k}`]!), expected, 1e-6, k);
    }
    assert.deepEqual(Array.from(fin['paramset/swa/n']!), [3]);
    // the refreshed BN statistics differ from the live ones: the swa rows are not the iterate's
    const row = (split: string) => rowsOf(swa.dir).find((r) => String(r.split) === split && r.step === 12)!;
    assert.notEqual(row('test_swa').loss, row('test').loss);
    const cut = truncatedCopy(swa.dir, 6, join(tmp, 'swa-cut'));
    const resumed = await resumeTiny(tmp, cut);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(trajectory(cut), trajectory(swa.dir));
    assert.ok(tensorsBin(cut, 12).equals(tensorsBin(swa.dir, 12)));
    assert.ok(swa.leaked <= plain.leaked, `leaked ${swa.leaked} vs ${plain.leaked}`);
  });
});

test('blobs fixture is the 24-row one', () => assert.equal(blobs.n_train, 24));
