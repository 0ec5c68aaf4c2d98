import { tf } from '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { MODULAR_OPS } from '../../src/data/index.js';
import { all, build, rowKey } from './helpers.js';

/** Reference a∘b mod p computed the slow, obvious way (division by search for c with c·b ≡ a). */
function reference(op: string, a: number, b: number, p: number): number {
  const mod = (v: number) => ((v % p) + p) % p;
  switch (op) {
    case 'add': return mod(a + b);
    case 'sub': return mod(a - b);
    case 'mul': return mod(a * b);
    case 'div': for (let c = 0; c < p; c++) if (mod(c * b) === a) return c; throw new Error('no inverse');
    case 'x2_plus_y2': return mod(a * a + b * b);
    default: return mod(a * a + a * b + b * b);
  }
}

test('modular-arithmetic: every label equals a∘b mod p, and the pairs are split exactly once', async () => {
  for (const op of MODULAR_OPS) {
    const p = 11;
    const ds = await build({ name: 'modular-arithmetic', p, op, train_fraction: 0.4 }, 2);
    const total = op === 'div' ? p * (p - 1) : p * p;
    // ⌊0.4·121⌋ = 48 train (⌊0.4·110⌋ = 44 for div)
    assert.equal(ds.sizes.train, Math.floor(0.4 * total), op);
    assert.equal(ds.sizes.train + ds.sizes.test, total);
    assert.deepEqual(ds.spec.inputShape, [2]);
    assert.equal(ds.spec.inputKind, 'tokens');
    assert.equal(ds.spec.vocabSize, p);
    const seen = new Set<number>();
    for (const split of ['train', 'test'] as const) {
      const { x, y } = all(ds, split);
      assert.ok(x instanceof Int32Array);
      for (let i = 0; i < y.length; i++) {
        const a: number = x[2 * i]!, b: number = x[2 * i + 1]!;
        assert.equal(y[i], reference(op, a, b, p), `${op}: ${a}∘${b}`);
        seen.add(a * p + b);
      }
    }
    assert.equal(seen.size, total);
  }
  // hand values mod 7: 3²+5² = 34 ≡ 6; 3²+3·5+5² = 49 ≡ 0; 3/5: 5·2 = 10 ≡ 3, so 3/5 ≡ 2
  assert.equal(reference('x2_plus_y2', 3, 5, 7), 6);
  assert.equal(reference('a2_plus_ab_plus_b2', 3, 5, 7), 0);
  assert.equal(reference('div', 3, 5, 7), 2);
});

test('modular-arithmetic: p = 97 sizes, seeds, and a non-prime divisor', async () => {
  const a = await build({ name: 'modular-arithmetic' }, 0);
  assert.deepEqual(a.sizes, { train: 4704, test: 4705 }); // 97² = 9409, ⌊0.5·9409⌋ = 4704
  const b = await build({ name: 'modular-arithmetic' }, 0);
  const c = await build({ name: 'modular-arithmetic' }, 1);
  assert.deepEqual(all(a, 'train').x, all(b, 'train').x);
  assert.notDeepEqual(all(a, 'train').x.subarray(0, 40), all(c, 'train').x.subarray(0, 40));
  await assert.rejects(build({ name: 'modular-arithmetic', p: 12, op: 'div' }), (e: unknown) => e instanceof ConfigError && /prime/.test(e.message));
  await assert.rejects(build({ name: 'modular-arithmetic', p: 7, normalize: true }), /token inputs/);
});

test('moons and spirals lie on their curves when noise = 0', async () => {
  const m = all(await build({ name: 'moons', noise: 0, n_train: 200 }), 'train');
  for (let i = 0; i < 200; i++) {
    const x = m.x[2 * i]!, y = m.x[2 * i + 1]!;
    // class 0: unit upper half circle; class 1: unit lower half circle centred at (1, 0.5)
    const r = m.y[i] === 0 ? Math.hypot(x, y) : Math.hypot(x - 1, y - 0.5);
    assert.ok(Math.abs(r - 1) < 1e-5, `moon point ${i} at radius ${r}`);
    assert.ok(m.y[i] === 0 ? y >= -1e-6 : y <= 0.5 + 1e-6);
  }
  const K = 4;
  const s = all(await build({ name: 'spirals', noise: 0, n_classes: K, turns: 1.5, n_train: 200 }), 'train');
  for (let i = 0; i < 200; i++) {
    const x = s.x[2 * i]!, y = s.x[2 * i + 1]!;
    const r = Math.hypot(x, y);
    if (r < 1e-3) continue;
    // θ = atan2(x, y) must equal 2π(k/K + turns·r) modulo 2π
    const want = 2 * Math.PI * (s.y[i]! / K + 1.5 * r);
    const diff = Math.atan2(x, y) - want;
    const wrapped = Math.abs(diff - 2 * Math.PI * Math.round(diff / (2 * Math.PI)));
    assert.ok(wrapped < 1e-3, `spiral point ${i}: angle off by ${wrapped}`);
  }
});

test('blobs and gaussian-mixture: class means sit on the recorded centres', async () => {
  for (const spec of [
    { name: 'blobs', centers: 3, n_features: 4, cluster_std: 0.5, n_train: 3000 },
    { name: 'gaussian-mixture', n_classes: 3, dims: 4, std: 0.5, mean_scale: 3, n_train: 3000 },
  ]) {
    const ds = await build(spec, 7);
    const centres = (ds.meta.centers ?? ds.meta.means) as number[][];
    const { x, y } = all(ds, 'train');
    for (let k = 0; k < 3; k++) {
      const rows = Array.from(y.keys()).filter((i) => y[i] === k);
      assert.equal(rows.length, 1000);
      for (let j = 0; j < 4; j++) {
        const mean = rows.reduce((s, i) => s + x[i * 4 + j]!, 0) / rows.length;
        // std of the mean: 0.5/√1000 ≈ 0.016; allow 5σ
        assert.ok(Math.abs(mean - centres[k]![j]!) < 0.08, `${spec.name} class ${k} dim ${j}: ${mean} vs ${centres[k]![j]}`);
      }
    }
  }
  const sym = await build({ name: 'gaussian-mixture', symmetric: true, dims: 3 }, 1);
  const means = sym.meta.means as number[][];
  assert.deepEqual(means[1], means[0]!.map((v) => -v));
});

test('xor-clusters: ±μ₁ → class 0, ±μ₂ → class 1, μ₁ ⊥ μ₂, train flips at rate η, clean test', async () => {
  const ds = await build({ name: 'xor-clusters', d: 20, mu_norm: 3, noise_std: 0, eta: 0.2, n_train: 4000, n_test: 400 }, 3);
  const { x, y, cleanY } = all(ds, 'train');
  const first = (k: number) => Array.from(cleanY!.keys()).find((i) => cleanY![i] === k)!;
  const mu1 = Array.from(x.subarray(first(0) * 20, first(0) * 20 + 20));
  const mu2 = Array.from(x.subarray(first(1) * 20, first(1) * 20 + 20));
  const dot = (a: number[], b: ArrayLike<number>) => a.reduce((s, v, j) => s + v * b[j]!, 0);
  assert.ok(Math.abs(Math.hypot(...mu1) - 3) < 1e-4);
  assert.ok(Math.abs(dot(mu1, mu2)) < 1e-3);
  let flips = 0;
  for (let i = 0; i < 4000; i++) {
    const row = x.subarray(i * 20, i * 20 + 20);
    // with noise 0 every point is exactly ±μ₁ (|x·μ₁| = 9) or ±μ₂ (x·μ₁ = 0)
    const k = Math.abs(dot(mu1, row)) > 4.5 ? 0 : 1;
    assert.equal(cleanY![i], k);
    if (y[i] !== k) flips += 1;
  }
  assert.ok(Math.abs(flips / 4000 - 0.2) < 0.02, `flip rate ${flips / 4000}`);
  assert.equal(all(ds, 'test').cleanY, undefined);
});

test('teacher-student: a linear teacher is exactly linear; classification labels in range', async () => {
  const ds = await build({ name: 'teacher-student', input_dim: 2, hidden: [], activation: 'linear', n_train: 50 }, 5);
  const { x, y } = all(ds, 'train');
  // solve y = w·x from rows 0 and 1 (2×2 system), then predict the other rows
  const [a, b, c, d] = [x[0]!, x[1]!, x[2]!, x[3]!];
  const det = a * d - b * c;
  const w0 = (y[0]! * d - b * y[1]!) / det;
  const w1 = (a * y[1]! - c * y[0]!) / det;
  for (let i = 2; i < 50; i++) assert.ok(Math.abs(w0 * x[2 * i]! + w1 * x[2 * i + 1]! - y[i]!) < 1e-3);
  assert.equal(ds.spec.task, 'regression');
  assert.equal(ds.spec.outputDim, 1);
  const cls = await build({ name: 'teacher-student', task: 'classification', num_classes: 3, n_train: 600 }, 5);
  const counts = [0, 0, 0];
  for (const v of all(cls, 'train').y) counts[v]! += 1;
  assert.ok(counts.every((c) => c > 0), `classes ${counts}`);
  assert.equal(cls.spec.numClasses, 3);
  const noisy = await build({ name: 'teacher-student', noise: 0.5 }, 5);
  const clean = await build({ name: 'teacher-student' }, 5);
  assert.deepEqual(all(noisy, 'train').x, all(clean, 'train').x);
  assert.notDeepEqual(all(noisy, 'train').y, all(clean, 'train').y);
});

test('parity and sparse-parity: label = XOR of the relevant bits; small n gives disjoint splits', async () => {
  const ds = await build({ name: 'sparse-parity', n_bits: 16, k: 3, n_train: 3000, n_test: 1000 }, 4);
  const relevant = ds.meta.relevant_bits as number[];
  assert.equal(relevant.length, 3);
  const check = (split: 'train' | 'test') => {
    const { x, y } = all(ds, split);
    for (let i = 0; i < y.length; i++) {
      let s = 0;
      for (const j of relevant) s ^= (1 - x[i * 16 + j]!) / 2; // pm1: bit b ↦ 1 − 2b
      assert.equal(y[i], s);
    }
    return new Set(Array.from({ length: y.length }, (_, i) => rowKey(x, i, 16)));
  };
  const train = check('train');
  const test = check('test');
  assert.equal(train.size, 3000);
  assert.ok([...test].every((k) => !train.has(k)));
  const p = all(await build({ name: 'parity', n_bits: 5, encoding: 'binary', n_train: 20, n_test: 12 }), 'train');
  for (let i = 0; i < 20; i++) {
    const bits = Array.from(p.x.subarray(i * 5, i * 5 + 5));
    assert.equal(p.y[i], bits.reduce((a, b) => a ^ b, 0));
  }
  await assert.rejects(build({ name: 'parity', n_bits: 5, n_train: 30, n_test: 10 }), /exceeds the 32/);
  assert.ok(tf.memory().numTensors >= 0);
});
