import { tf } from '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { applyLabelNoise, finalizeDataset, longTailCounts, transformShape, type RawData, type TransformOptions } from '../../src/data/index.js';
import { z } from 'zod';
import { all, build } from './helpers.js';

const defaults = (o: Record<string, unknown> = {}): TransformOptions => z.strictObject(transformShape).parse(o);

/** 4×4×1 images whose pixel (h, w) of image i is 100·i + 4h + w + 1 (never 0, so padding is visible). */
function tinyImages(n: number): RawData {
  const x = new Float32Array(n * 16);
  for (let i = 0; i < n; i++) for (let p = 0; p < 16; p++) x[i * 16 + p] = 100 * i + p + 1;
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const split = { n, x, y };
  return {
    spec: { task: 'classification', inputShape: [4, 4, 1], inputKind: 'dense', numClasses: 2, outputDim: 2 },
    train: split,
    test: { n, x: x.slice(), y: y.slice() },
    meta: {},
  };
}

test('symmetric noise: realised rate within 3σ of the rate, always to another class, uniform over them', () => {
  const n = 20000;
  const clean = Int32Array.from({ length: n }, (_, i) => i % 10);
  const r = applyLabelNoise(clean, 10, 'symmetric', 0.3, new Rng(1));
  // σ = sqrt(0.3·0.7/20000) ≈ 0.0032, so 3σ ≈ 0.0097
  assert.ok(Math.abs(r.realisedRate - 0.3) < 0.0097, `realised ${r.realisedRate}`);
  const targets = new Array<number>(10).fill(0);
  for (let i = 0; i < n; i++) if (clean[i] === 0 && r.noisy[i] !== 0) targets[r.noisy[i]!]! += 1;
  assert.equal(targets[0], 0);
  // each of the 9 other classes gets ≈ 2000·0.3/9 ≈ 67 flips from class 0
  for (let k = 1; k < 10; k++) assert.ok(targets[k]! > 35 && targets[k]! < 100, `class 0 → ${k}: ${targets[k]}`);
});

test('pairflip and asymmetric noise move labels only where the map says', () => {
  const clean = Int32Array.from({ length: 5000 }, (_, i) => i % 5);
  const pf = applyLabelNoise(clean, 5, 'pairflip', 0.4, new Rng(2));
  for (let i = 0; i < clean.length; i++) if (pf.noisy[i] !== clean[i]) assert.equal(pf.noisy[i], (clean[i]! + 1) % 5);
  assert.ok(Math.abs(pf.realisedRate - 0.4) < 0.03);
  const asym = applyLabelNoise(clean, 5, 'asymmetric', 0.5, new Rng(3), new Map([[1, 3]]));
  for (let i = 0; i < clean.length; i++) {
    if (asym.noisy[i] !== clean[i]) { assert.equal(clean[i], 1); assert.equal(asym.noisy[i], 3); }
  }
  // only class 1 (a fifth of the data) can flip, at rate 0.5: realised ≈ 0.1
  assert.ok(Math.abs(asym.realisedRate - 0.1) < 0.02, `${asym.realisedRate}`);
});

test('label noise on a dataset: train only, clean labels kept, realised rate recorded', async () => {
  const clean = await build({ name: 'moons', n_train: 4000, n_test: 500 }, 5);
  const noisy = await build({ name: 'moons', n_train: 4000, n_test: 500, label_noise: { type: 'symmetric', rate: 0.2 } }, 5);
  const a = all(clean, 'train');
  const b = all(noisy, 'train');
  assert.deepEqual(b.cleanY, a.y);
  assert.deepEqual(b.x, a.x);
  let differ = 0;
  for (let i = 0; i < b.y.length; i++) if (b.y[i] !== b.cleanY![i]) differ += 1;
  const recorded = (noisy.meta.transforms as { label_noise: { realised_rate: number } }).label_noise.realised_rate;
  assert.equal(recorded, differ / 4000);
  assert.ok(Math.abs(recorded - 0.2) < 0.02, `realised ${recorded}`);
  assert.deepEqual(all(noisy, 'test').y, all(clean, 'test').y);
  assert.equal(all(noisy, 'test').cleanY, undefined);
  // same data seed ⇒ same noise
  const again = await build({ name: 'moons', n_train: 4000, n_test: 500, label_noise: { rate: 0.2 } }, 5);
  assert.deepEqual(all(again, 'train').y, b.y);
});

test('asymmetric noise uses the dataset map (mnist: 2→7, 3→8, 5↔6, 7→1) or a class_map by name', async () => {
  const ds = await build({ name: 'mnist', train_size: 2000, test_size: 100, label_noise: { type: 'asymmetric', rate: 0.4 } }, 1);
  const { y, cleanY } = all(ds, 'train');
  const allowed = new Map([[2, 7], [3, 8], [5, 6], [6, 5], [7, 1]]);
  let flips = 0;
  for (let i = 0; i < y.length; i++) if (y[i] !== cleanY![i]) { flips += 1; assert.equal(allowed.get(cleanY![i]!), y[i]); }
  assert.ok(flips > 200, `${flips} flips`);
  const named = await build({ name: 'spirals', n_classes: 3, n_train: 900, label_noise: { type: 'asymmetric', rate: 1, class_map: { '0': 2 } } });
  const s = all(named, 'train');
  for (let i = 0; i < s.y.length; i++) assert.equal(s.y[i], s.cleanY![i] === 0 ? 2 : s.cleanY![i]);
  await assert.rejects(build({ name: 'moons', label_noise: { type: 'asymmetric', rate: 0.2 } }), /class_map/);
  await assert.rejects(build({ name: 'moons', label_noise: { type: 'asymmetric', rate: 0.2, class_map: { '0': 'dog' } } }), ConfigError);
});

test('long tail: n_k = ⌊n_max·ρ^(−k/(K−1))⌋ and spec.classCounts follow it', async () => {
  // ρ = 10, K = 10, n_max = 100: 100·10^(−k/9) = 100, 77.4, 59.9, 46.4, 35.9, 27.8, 21.5, 16.7, 12.9, 10
  assert.deepEqual(longTailCounts(new Array(10).fill(100), 10), [100, 77, 59, 46, 35, 27, 21, 16, 12, 10]);
  const ds = await build({ name: 'blobs', centers: 4, n_train: 400, imbalance_ratio: 8 }, 2);
  // n_max = 100, ρ = 8, K = 4: 100·8^(−k/3) = 100, 50, 25, 12.5
  assert.deepEqual(ds.spec.classCounts, [100, 50, 25, 12]);
  assert.equal(ds.sizes.train, 187);
  assert.equal(ds.sizes.test, 1000);
  const y = all(ds, 'train').y;
  assert.equal(Array.from(y).filter((v) => v === 3).length, 12);
  await assert.rejects(build({ name: 'moons', imbalance_ratio: 0.5 }), ConfigError);
});

test('subset keeps class proportions and composes with the long tail', async () => {
  const ds = await build({ name: 'blobs', centers: 2, n_train: 1000, n_test: 1000, subset: { train: 100, test: 10 } }, 0);
  assert.deepEqual(ds.sizes, { train: 100, test: 10 });
  assert.deepEqual(ds.spec.classCounts, [50, 50]);
  await assert.rejects(build({ name: 'moons', n_train: 10, subset: { train: 20 } }), /more than/);
});

test('normalisation: train mean/std recorded and applied (train ≈ N(0, 1) per feature)', async () => {
  const ds = await build({ name: 'blobs', n_features: 3, n_train: 2000, normalize: true }, 4);
  const stats = (ds.meta.transforms as { normalize: { mean: number[]; std: number[] } }).normalize;
  const raw = all(await build({ name: 'blobs', n_features: 3, n_train: 2000 }, 4), 'train').x;
  for (let c = 0; c < 3; c++) {
    let s = 0, q = 0;
    for (let i = 0; i < 2000; i++) { s += raw[i * 3 + c]!; q += raw[i * 3 + c]! ** 2; }
    assert.ok(Math.abs(stats.mean[c]! - s / 2000) < 1e-6);
    assert.ok(Math.abs(stats.std[c]! - Math.sqrt(q / 2000 - (s / 2000) ** 2)) < 1e-4);
  }
  const x = all(ds, 'train').x;
  let s = 0, q = 0;
  for (let i = 0; i < 2000; i++) { s += x[i * 3 + 1]!; q += x[i * 3 + 1]! ** 2; }
  assert.ok(Math.abs(s / 2000) < 1e-4 && Math.abs(q / 2000 - 1) < 1e-3);
});

test('normalisation: x = (float32(raw·scale) − mean)·(1/std) exactly, for one channel and several', async () => {
  for (const [name, extra] of [['blobs', { n_features: 3 }], ['mnist', { train_size: 200, test_size: 50 }]] as const) {
    const ds = await build({ name, ...extra, normalize: true }, 4);
    const plain = await build({ name, ...extra }, 4);
    const stats = (ds.meta.transforms as { normalize: { mean: number[]; std: number[] } }).normalize;
    const x = all(ds, 'train').x, raw = all(plain, 'train').x;
    const C = stats.mean.length;
    const want = new Float32Array(raw.length);
    for (let j = 0; j < raw.length; j++) want[j] = (raw[j]! - Math.fround(stats.mean[j % C]!)) * Math.fround(1 / stats.std[j % C]!);
    assert.deepEqual(new Uint32Array(Float32Array.from(x).buffer), new Uint32Array(want.buffer), name);
  }
});

test('crop/flip: same rng state ⇒ same batch; train only; each image is a shifted, maybe mirrored copy', () => {
  const ds = finalizeDataset(tinyImages(8), defaults({ random_crop: 1, horizontal_flip: true }), 0);
  const idx = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
  const a = ds.gather('train', idx, new Rng(11));
  const b = ds.gather('train', idx, new Rng(11));
  assert.deepEqual(a.x, b.x);
  const plain = ds.gather('train', idx);
  assert.notDeepEqual(a.x, plain.x);
  assert.deepEqual(ds.gather('test', idx, new Rng(11)).x, plain.x);
  // reproduce the draws: per image dy, dx ∈ {−1, 0, 1}, then the flip coin
  const rng = new Rng(11);
  for (let i = 0; i < 8; i++) {
    const dy = rng.int(3) - 1, dx = rng.int(3) - 1, flip = rng.uniform() < 0.5;
    for (let h = 0; h < 4; h++) for (let w = 0; w < 4; w++) {
      const sh = h + dy, sw = (flip ? 3 - w : w) + dx;
      const want = sh < 0 || sh > 3 || sw < 0 || sw > 3 ? 0 : 100 * i + 4 * sh + sw + 1;
      assert.equal(a.x[i * 16 + 4 * h + w], want, `image ${i} (${h},${w})`);
    }
  }
  assert.ok(tf.memory().numTensors >= 0);
});

test('image transforms need images and a crop smaller than the image', async () => {
  await assert.rejects(build({ name: 'moons', horizontal_flip: true }), /image inputs/);
  assert.throws(() => finalizeDataset(tinyImages(2), defaults({ random_crop: 4 }), 0), /smaller than the image side/);
});
