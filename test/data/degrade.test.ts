/** dataset.degrade: the three degradations by hand, and which rows a split degrades (seeded, stable). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { finalizeDataset, transformShape, transformIssues, type RawData, type TransformOptions } from '../../src/data/index.js';
import { degradeImage, degradeSchema, type DegradeOptions } from '../../src/data/degrade.js';
import { Rng } from '../../src/core/random.js';

const defaults = (o: Record<string, unknown> = {}): TransformOptions => z.strictObject(transformShape).parse(o);
const opts = (o: Record<string, unknown> = {}): DegradeOptions => degradeSchema.parse({ fraction: 0.5, ...o })!;

function images(n: number): RawData {
  const x = Float32Array.from({ length: n * 16 }, (_, t) => ((t * 7) % 16) / 16);
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  return { spec: { task: 'classification', inputShape: [4, 4, 1], inputKind: 'dense', numClasses: 2, outputDim: 2 }, train: { n, x, y }, test: { n, x: x.slice(), y: y.slice() }, meta: {} };
}

test('downscale by 2: 2×2 box means repeated back over their block', () => {
  const img = Float32Array.from({ length: 16 }, (_, t) => t);
  const out = degradeImage(img, 4, 4, 1, 'downscale', opts({ downscale: 2 }), Rng.derive(0, 'x'));
  // block (0,0) holds 0 1 4 5 → 2.5; block (0,1) 2 3 6 7 → 4.5; (1,0) 8 9 12 13 → 10.5; (1,1) → 12.5
  assert.deepEqual(Array.from(out), [2.5, 2.5, 4.5, 4.5, 2.5, 2.5, 4.5, 4.5, 10.5, 10.5, 12.5, 12.5, 10.5, 10.5, 12.5, 12.5]);
});

test('blur keeps a constant image constant and spreads a single bright pixel symmetrically', () => {
  const flat = degradeImage(new Float32Array(25).fill(0.7), 5, 5, 1, 'blur', opts({ blur_sigma: 1 }), Rng.derive(0, 'x'));
  for (const v of flat) assert.ok(Math.abs(v - 0.7) < 1e-6);
  const dot = new Float32Array(25);
  dot[12] = 1;
  const b = degradeImage(dot, 5, 5, 1, 'blur', opts({ blur_sigma: 0.5 }), Rng.derive(0, 'x'));
  // σ 0.5, radius 2: 1-D weights ∝ e^{−2k²}; the centre keeps w0², each side neighbour w0·w1
  const w = [0, 1, 2].map((k) => Math.exp(-2 * k * k));
  const s = w[0]! + 2 * w[1]! + 2 * w[2]!;
  assert.ok(Math.abs(b[12]! - (w[0]! / s) ** 2) < 1e-6);
  assert.ok(Math.abs(b[11]! - (w[0]! * w[1]!) / s ** 2) < 1e-6);
  assert.ok(Math.abs(b[11]! - b[13]!) < 1e-7 && Math.abs(b[7]! - b[17]!) < 1e-7);
});

test('noise adds N(0, σ²) drawn from the rng', () => {
  const img = new Float32Array(4000).fill(0.5);
  const out = degradeImage(img, 40, 100, 1, 'noise', opts({ noise_std: 0.2 }), Rng.derive(3, 'x'));
  const d = Array.from(out, (v) => v - 0.5);
  const mean = d.reduce((a, v) => a + v, 0) / d.length;
  const sd = Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / d.length);
  assert.ok(Math.abs(mean) < 0.02 && Math.abs(sd - 0.2) < 0.01, `mean ${mean} sd ${sd}`);
});

test('a seeded fraction of each split is degraded, the same rows at every gather and for the same seed', () => {
  const raw = images(20);
  const ds = finalizeDataset(raw, defaults({ degrade: { fraction: 0.3, test_fraction: 1 } }), 4);
  const rows = Int32Array.from({ length: 20 }, (_, i) => i);
  const changed = (split: 'train' | 'test') => {
    const x = ds.gather(split, rows).x as Float32Array;
    return Array.from({ length: 20 }, (_, i) => x.subarray(i * 16, i * 16 + 16).some((v, p) => v !== raw.train.x[i * 16 + p])).filter(Boolean).length;
  };
  assert.equal(changed('train'), 6);
  assert.equal(changed('test'), 20);
  assert.deepEqual(ds.gather('train', rows).x, ds.gather('train', rows).x);
  assert.deepEqual(ds.gather('train', rows).x, finalizeDataset(raw, defaults({ degrade: { fraction: 0.3, test_fraction: 1 } }), 4).gather('train', rows).x);
  assert.deepEqual((ds.meta.transforms as Record<string, { degraded: unknown }>).degrade?.degraded, { train: 6, test: 20 });
  // vector inputs are rejected by name
  const vec = { spec: { task: 'classification' as const, inputShape: [3], inputKind: 'dense' as const, numClasses: 2, outputDim: 2 }, complete: true, sizes: { train: 4, test: 4 } };
  assert.match(transformIssues(defaults({ degrade: { fraction: 0.3 } }), vec)[0]?.message ?? '', /image inputs/);
});
