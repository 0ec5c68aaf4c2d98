/**
 * The two generators of the tier-2 optimizer claims: `separable` (every point at distance ≥ γ on
 * its class's side of w*·x = 0) and `power-law-regression` (covariance diag(i^−a), y = x·w*).
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, build } from './helpers.js';

const dot = (x: ArrayLike<number>, row: number, w: readonly number[]) => w.reduce((s, wj, j) => s + (x[row * w.length + j] as number) * wj, 0);

test('separable: every train and test point is at signed distance ≥ γ along w*, label 1 on the positive side', async () => {
  const ds = await build({ name: 'separable', n_train: 50, n_test: 40, input_dim: 7, margin: 0.3 }, 3);
  const w = ds.meta.direction as number[];
  assert.ok(Math.abs(Math.hypot(...w) - 1) < 1e-12);
  for (const split of ['train', 'test'] as const) {
    const { x, y } = all(ds, split);
    let ones = 0;
    for (let i = 0; i < y.length; i++) {
      const s = y[i] === 1 ? 1 : -1;
      ones += y[i] === 1 ? 1 : 0;
      assert.ok(s * dot(x, i, w) >= 0.3 - 1e-5, `${split} ${i}: ${s * dot(x, i, w)}`);
    }
    assert.equal(ones, y.length / 2); // classes alternate
  }
  // the realised train margin is γ plus the smallest half-normal draw: above γ, and attained by a point
  const { x, y } = all(ds, 'train');
  const distances = Array.from(y, (c, i) => (c === 1 ? 1 : -1) * dot(x, i, w));
  assert.ok(Math.abs(Math.min(...distances) - (ds.meta.margin as number)) < 1e-5);
});

test('separable: spread 0 puts every point exactly at distance γ; the orthogonal part is N(0, I)', async () => {
  const ds = await build({ name: 'separable', n_train: 2000, n_test: 2, input_dim: 3, margin: 0.5, spread: 0 }, 1);
  const w = ds.meta.direction as number[];
  const { x, y } = all(ds, 'train');
  let sq = 0;
  for (let i = 0; i < y.length; i++) {
    const along = dot(x, i, w);
    assert.ok(Math.abs(Math.abs(along) - 0.5) < 1e-5);
    for (let j = 0; j < 3; j++) sq += ((x[i * 3 + j] as number) - along * w[j]!) ** 2;
  }
  // E‖z − (w*·z)w*‖² = d − 1 = 2 per point
  assert.ok(Math.abs(sq / y.length - 2) < 0.15, `${sq / y.length}`);
});

test('separable: same seed, same data; another seed, another direction', async () => {
  const a = await build({ name: 'separable', n_train: 10, n_test: 4 }, 5);
  const b = await build({ name: 'separable', n_train: 10, n_test: 4 }, 5);
  const c = await build({ name: 'separable', n_train: 10, n_test: 4 }, 6);
  assert.deepEqual(Array.from(all(a, 'train').x), Array.from(all(b, 'train').x));
  assert.notDeepEqual(a.meta.direction, c.meta.direction);
});

test('power-law-regression: per-coordinate variance ≈ i^−a and y = x·w* with the power teacher', async () => {
  const ds = await build({ name: 'power-law-regression', n_train: 4000, n_test: 3, input_dim: 4, exponent: 2, teacher_exponent: 1 }, 2);
  const w = ds.meta.teacher as number[];
  assert.deepEqual(w, [1, 1 / 2, 1 / 3, 1 / 4]);
  const { x, y } = all(ds, 'train');
  const n = 4000;
  for (let j = 0; j < 4; j++) {
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[i * 4 + j] as number) ** 2;
    const expected = (j + 1) ** -2; // 1, 1/4, 1/9, 1/16
    assert.ok(Math.abs(v / n / expected - 1) < 0.08, `coordinate ${j}: ${v / n} vs ${expected}`);
  }
  for (let i = 0; i < 20; i++) assert.ok(Math.abs((y[i] as number) - dot(x, i, w)) < 1e-5);
});

test('power-law-regression: spike teacher e_k; gaussian teacher fixed by the seed; noise on y', async () => {
  const spike = await build({ name: 'power-law-regression', n_train: 5, n_test: 2, input_dim: 6, teacher: 'spike', spike_index: 4 }, 0);
  assert.deepEqual(spike.meta.teacher, [0, 0, 0, 1, 0, 0]);
  const { x, y } = all(spike, 'train');
  for (let i = 0; i < 5; i++) assert.equal(y[i], x[i * 6 + 3]);
  const g1 = await build({ name: 'power-law-regression', n_train: 5, n_test: 2, input_dim: 6, teacher: 'gaussian' }, 0);
  const g2 = await build({ name: 'power-law-regression', n_train: 5, n_test: 2, input_dim: 6, teacher: 'gaussian' }, 0);
  assert.deepEqual(g1.meta.teacher, g2.meta.teacher);
  const noisy = await build({ name: 'power-law-regression', n_train: 5, n_test: 2, input_dim: 6, noise: 0.5 }, 0);
  const clean = all(noisy, 'train');
  const w = noisy.meta.teacher as number[];
  assert.ok(Array.from(clean.y).some((v, i) => Math.abs(v - dot(clean.x, i, w)) > 1e-3));
  await assert.rejects(build({ name: 'power-law-regression', input_dim: 3, spike_index: 4 }), /spike_index 4 exceeds input_dim 3/);
});
