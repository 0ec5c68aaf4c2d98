/**
 * The regression survey's family, the directional losses, gaussian-nll and the scheduled
 * pseudo-Huber against numbers derived by hand (numpy float64; y = [1, 2, −0.5, 4], ŷ = [1.5, 1,
 * −0.8, 3]); the survey and trading metrics of the regression accumulator; the returns dataset
 * (time order, AR structure, trading metrics in evaluation) and the target_outliers transform.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose } from '../support/tf.js';
import { createObjective } from '../../src/losses/index.js';
import type { Spec } from '../../src/core/registry.js';
import type { DataSpec, LossContext, Objective } from '../../src/core/types.js';
import { pseudoHuberDelta } from '../../src/losses/regression.js';
import { createRegressionAccumulator, tradingMetrics } from '../../src/metrics/index.js';
import { catalog } from '../../src/registries.js';
import { corruptTargets } from '../../src/data/transforms.js';
import { Rng } from '../../src/core/random.js';

const Y = [1, 2, -0.5, 4];
const P = [1.5, 1, -0.8, 3];
const spec: DataSpec = { task: 'regression', inputShape: [1], inputKind: 'dense', numClasses: 0, outputDim: 1 };
const ctx = (step = 0): LossContext => ({ step, epoch: 0, training: true, data: spec, seed: 0 });
const build = (s: Spec): Objective => createObjective(s, { data: spec, sizes: { train: 4, test: 4 }, seed: 0, embeddingDim: 1 });

function values(s: Spec, out: number[][] = P.map((p) => [p]), c = ctx()): number[] {
  const o = build(s);
  try {
    return tf.tidy(() => Array.from(o.compute({ output: tf.tensor2d(out), y: tf.tensor2d(Y.map((v) => [v])) }, c).dataSync()));
  } finally {
    o.dispose();
  }
}

describe('regression survey losses (survey code / Keras definitions)', () => {
  it('per example: mbe, mape, msle (keras and log1p clamps), rmsle', () => {
    assertClose(values({ name: 'mbe' }), [-0.5, 1, 0.3, 1], 1e-6, 1e-6);
    assertClose(values({ name: 'mape' }), [50, 50, 60, 25], 1e-5, 1e-4);
    const keras = [0.0497930445, 0.1644019539, 0, 0.0497930445];
    assertClose(values({ name: 'msle' }), keras, 1e-5, 1e-6);
    assertClose(values({ name: 'msle', clamp: 'log1p' }), [0.0497930445, 0.1644019539, 0.8395887053, 0.0497930445], 1e-5, 1e-6);
    assertClose(values({ name: 'rmsle' }), keras.map(Math.sqrt), 1e-5, 1e-6);
  });
  it('batch-level: rae, rse (the paper\'s denominator), nrmse (÷ std ŷ), rrmse (÷ Σŷ²)', () => {
    assertClose(values({ name: 'rae' }), [0.5090909091], 1e-5, 1e-6);
    assertClose(values({ name: 'rse' }), [0.2189473684], 1e-5, 1e-6);
    assertClose(values({ name: 'nrmse' }), [0.5635699867], 1e-5, 1e-6);
    assertClose(values({ name: 'rrmse' }), [0.4260705041], 1e-5, 1e-6);
  });
  it('madl −sign(R·R̂)|R| and gmadl −(σ(a·R·R̂) − ½)|R|^b', () => {
    assertClose(values({ name: 'madl' }), [-1, -2, -0.5, -4], 1e-7, 1e-7);
    assertClose(values({ name: 'gmadl', a: 1, b: 2 }), [-0.3175744762, -1.5231883119, -0.024671915, -7.9999016932], 1e-5, 1e-5);
    assert.throws(() => build({ name: 'gmadl' }), /a|b/, 'a and b are required');
  });
  it('pseudo-huber: exponential δ(t) = exp(ln δ·t/T) from 1 to δ, then constant', () => {
    const o = { delta: 0.01, schedule: 'exponential' as const, schedule_steps: 100, weight: 1 };
    assertClose([pseudoHuberDelta(o, 0), pseudoHuberDelta(o, 50), pseudoHuberDelta(o, 100), pseudoHuberDelta(o, 500)], [1, 0.1, 0.01, 0.01], 1e-9, 1e-12);
    assertClose(values({ name: 'pseudo-huber', delta: 0.01, schedule: 'exponential', schedule_steps: 100 }, undefined, ctx(50)), [0.0819803903, 0.1809975124, 0.0432455532, 0.1809975124], 1e-5, 1e-6);
    assert.throws(() => build({ name: 'pseudo-huber', schedule: 'exponential' }), /schedule_steps/);
  });
});

describe('gaussian-nll', () => {
  const out = P.map((p, i) => [p, [0, 1, -20, 2][i]!]);
  it('½(s + e²·exp(−s)) with s clamped at log 1e-6; full adds ½ log 2π; β-NLL weights by detached var^β', () => {
    assertClose(values({ name: 'gaussian-nll' }, out), [0.125, 0.6839397206, 44993.092244721, 1.0676676416], 1e-5, 1e-4);
    assertClose(values({ name: 'gaussian-nll', full: true }, out), [1.0439385332, 1.6028782538, 44994.011183254, 1.9866061748], 1e-5, 1e-4);
    assertClose(values({ name: 'gaussian-nll', beta: 0.5 }, out), [0.125, 1.1276259652, 44.993092245, 2.902221549], 1e-5, 1e-4);
  });
  it('β = 1 gives the MSE gradient for the mean (−e per element), predictions are the mean half', () => {
    const o = build({ name: 'gaussian-nll', beta: 1 });
    const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(o.compute({ output: x, y: tf.tensor2d(Y.map((v) => [v])) }, ctx())))(tf.tensor2d(out)).dataSync()));
    assertClose([g[0]!, g[2]!, g[6]!], [0.5, -1, -1], 1e-5, 1e-6);
    const m = tf.tidy(() => Array.from(o.predictions!({ output: tf.tensor2d(out), y: tf.tensor2d(Y.map((v) => [v])) }, ctx()).dataSync()));
    assertClose(m, P, 1e-7, 1e-7);
    o.dispose();
  });
});

describe('regression accumulator: survey and trading metrics', () => {
  it('mbe, rae, rse, mape, msle, rmsle, nrmse, rrmse over the split', () => {
    const acc = createRegressionAccumulator(1);
    acc.add(Float32Array.from(P.slice(0, 2)), Float32Array.from(Y.slice(0, 2)));
    acc.add(Float32Array.from(P.slice(2)), Float32Array.from(Y.slice(2)));
    const r = acc.result();
    assertClose(
      [r.mbe!, r.rae!, r.rse!, r.mape!, r.msle!, r.rmsle!, r.nrmse!, r.rrmse!, r.r2!],
      [0.45, 0.5090909091, 0.2189473684, 46.25, 0.0659970107, Math.sqrt(0.0659970107), 0.5635699867, 0.4260705041, 1 - 0.2189473684],
      1e-6,
      1e-6,
    );
    assert.equal(r.directional_accuracy, undefined, 'no trading metrics without periodsPerYear');
  });
  it('sign strategy: directional accuracy, madl, annualised return and Sharpe', () => {
    const t = tradingMetrics([0.5, 0.1, -0.2, -0.3, 0.4], [0.01, -0.02, 0.03, -0.01, 0.02], 252);
    assertClose([t.directional_accuracy!, t.madl!, t.strategy_return!, t.sharpe!], [0.6, 0.002, -0.504, -1.6373304687], 1e-9, 1e-9);
    const acc = createRegressionAccumulator(1, { periodsPerYear: 252 });
    acc.add(Float32Array.from([0.5, 0.1, -0.2, -0.3, 0.4]), Float32Array.from([0.01, -0.02, 0.03, -0.01, 0.02]));
    assertClose([acc.result().directional_accuracy!, acc.result().sharpe!], [0.6, -1.6373304687], 1e-6, 1e-5);
  });
});

describe('returns dataset', () => {
  it('windows of one AR-GARCH series in time order: x_t = the previous returns, test after train', async () => {
    const ds = await catalog.dataset.build({ name: 'returns', n_train: 300, n_test: 100, window: 5, phi: 0.5 }, ['dataset'], { seed: 3, root: '.', configDir: '.' });
    assert.equal(ds.spec.task, 'regression');
    assert.deepEqual(ds.spec.inputShape, [5]);
    assert.equal(ds.spec.periodsPerYear, 252);
    const tr = ds.gather('train', Int32Array.from({ length: 300 }, (_, i) => i));
    const te = ds.gather('test', Int32Array.from({ length: 100 }, (_, i) => i));
    const x = tr.x as Float32Array, y = tr.y as Float32Array;
    // the window slides by one: x_{t+1} = [x_t[1:], y_t]
    for (let i = 0; i < 299; i++) {
      for (let j = 0; j < 4; j++) assert.equal(x[(i + 1) * 5 + j], x[i * 5 + j + 1]);
      assert.equal(x[(i + 1) * 5 + 4], y[i]);
    }
    // the first test window ends with the last train target
    assert.equal((te.x as Float32Array)[4], y[299]);
    // lag-1 autocorrelation near φ = 0.5
    let m = 0;
    for (const v of y) m += v / 300;
    let num = 0, den = 0;
    for (let i = 1; i < 300; i++) num += (y[i]! - m) * (y[i - 1]! - m);
    for (let i = 0; i < 300; i++) den += (y[i]! - m) ** 2;
    assert.ok(num / den > 0.3 && num / den < 0.7, `lag-1 autocorrelation ${num / den}`);
    const again = await catalog.dataset.build({ name: 'returns', n_train: 300, n_test: 100, window: 5, phi: 0.5 }, ['dataset'], { seed: 3, root: '.', configDir: '.' });
    assert.deepEqual(Array.from(again.gather('train', Int32Array.from([7])).y as Float32Array), [y[7]], 'seeded');
  });
  it('rejects a non-stationary variance (alpha + beta ≥ 1) at describe time', async () => {
    await assert.rejects(async () => catalog.dataset.build({ name: 'returns', alpha: 0.5, beta: 0.5 }, ['dataset'], { seed: 0, root: '.', configDir: '.' }), /alpha/);
  });
});

describe('target_outliers', () => {
  it('corrupts exactly round(rate·n) rows by scale·std·N(0, 1), leaves the rest and the input array untouched', () => {
    const y = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i));
    const before = Float32Array.from(y);
    const { y: out, rows } = corruptTargets(y, 20, 2, 0.1, 10, new Rng(5));
    assert.equal(rows.length, 2);
    assert.deepEqual(y, before);
    let changed = 0;
    for (let i = 0; i < 20; i++) if (out[2 * i] !== y[2 * i] || out[2 * i + 1] !== y[2 * i + 1]) changed++;
    assert.equal(changed, 2);
  });
  it('applies to the train split only, and is refused on a classification dataset', async () => {
    const clean = await catalog.dataset.build({ name: 'teacher-student', n_train: 50, n_test: 20 }, ['dataset'], { seed: 1, root: '.', configDir: '.' });
    const dirty = await catalog.dataset.build({ name: 'teacher-student', n_train: 50, n_test: 20, target_outliers: { rate: 0.2 } }, ['dataset'], { seed: 1, root: '.', configDir: '.' });
    const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
    const diff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).filter((v, i) => v !== b[i]).length;
    assert.equal(diff(clean.gather('train', all(50)).y as Float32Array, dirty.gather('train', all(50)).y as Float32Array), 10);
    assert.equal(diff(clean.gather('test', all(20)).y as Float32Array, dirty.gather('test', all(20)).y as Float32Array), 0);
    await assert.rejects(async () => catalog.dataset.build({ name: 'blobs', target_outliers: { rate: 0.1 } }, ['dataset'], { seed: 1, root: '.', configDir: '.' }), /target_outliers|regression/);
  });
});
