/**
 * FRUGAL's coordinate and GaLore-style subspaces (projection coord / galore): their layouts and
 * draws, steps worked by hand, their limits (ρ 1 is AdamW, ρ 0 signSGD on the matrices), and a
 * mid-run restore that continues bit-identically through later refreshes.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, tf } from '../support/tf.js';
import { Rng } from '../../src/core/random.js';
import type { Spec } from '../../src/core/registry.js';
import { createOptimizer } from '../../src/optim/index.js';
import { coordIndices, galoreLayout, roundHalfEven, topEigenvectors } from '../../src/optim/optimizers/frugal-subspaces.js';
import { trajectory } from './helpers-run.js';
import { closureOf, disposeParams, flat, linear, makeParams, runSteps, softmaxRegression, sumSquares, type ParamDef } from './helpers.js';

test('frugal subspaces: Python rounding, the official side and rank, int(n·ρ) coordinates', () => {
  assert.deepEqual([0.5, 1.5, 2.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 2, 3]);
  // std projects the smaller side: R ≥ C → right (r = round(C·ρ)), else left (r = round(R·ρ))
  assert.deepEqual(galoreLayout(8, 4, 0.25, 'std'), { side: 'right', rank: 1, low: [8, 1] });
  assert.deepEqual(galoreLayout(4, 8, 0.25, 'std'), { side: 'left', rank: 1, low: [1, 8] });
  assert.deepEqual(galoreLayout(4, 8, 0.25, 'reverse_std'), { side: 'right', rank: 2, low: [4, 2] });
  assert.deepEqual(galoreLayout(4, 8, 0.5, 'full'), { side: 'full', rank: 2, low: [2, 2] });
  // a thin SVD has min(R, C) singular vectors: reverse_std on 2 × 6 wants round(6·0.5) = 3 rows of Vh, gets 2
  assert.deepEqual(galoreLayout(2, 6, 0.5, 'reverse_std'), { side: 'right', rank: 2, low: [2, 2] });
  assert.deepEqual(galoreLayout(2, 6, 0.5, 'reverse_std', 'random'), { side: 'right', rank: 3, low: [2, 3] });
  const cols = coordIndices(Rng.derive(1, 'x'), 3, 10, 0.25, 'columns');
  assert.equal(cols.length, 2);
  assert.ok(cols.every((c) => c >= 0 && c < 10) && cols[0] !== cols[1]);
  assert.equal(coordIndices(Rng.derive(1, 'x'), 3, 10, 0.25, 'rows').length, 0);
  assert.equal(coordIndices(Rng.derive(1, 'x'), 3, 10, 0.25, 'randk').length, 7);
});

test('frugal subspaces: Jacobi eigenvectors, largest first, sign fixed', () => {
  // [[5, 4], [4, 5]]: eigenvalues 9 (1, 1)/√2 and 1 (1, −1)/√2
  assertClose(Array.from(topEigenvectors(Float64Array.from([5, 4, 4, 5]), 2, 2)), [Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2, -Math.SQRT1_2], 1e-12);
  // diag(1, 3, 2): e2 then e3
  assertClose(Array.from(topEigenvectors(Float64Array.from([1, 0, 0, 0, 3, 0, 0, 0, 2]), 3, 2)), [0, 0, 1, 0, 0, 1], 0);
});

// A [4, 2] kernel (torch layout [2 out, 4 in]) and a bias.
const KB: ParamDef[] = [
  { value: [1, -2, 0.5, 3, -1.5, 0.25, 2, -0.75], shape: [4, 2], role: 'kernel' },
  { value: [0.5, -1], role: 'bias' },
];

test('frugal coord columns: Adam on the kept input features (state [R, k]), sign on the rest, two steps by hand', () => {
  const lr = 0.1;
  const params = makeParams(KB);
  const opt = createOptimizer({ name: 'frugal', projection: 'coord', lr, weight_decay: 0, density: 0.5, seed: 3 }, params);
  const closure = closureOf(params, sumSquares);
  runSteps(opt, closure, 1);
  const state = opt.getState();
  const idxKey = Object.keys(state).find((k) => k.includes('proj/0'))!;
  const kept = Array.from(state[idxKey]!.dataSync());
  assert.equal(kept.length, 2);
  assert.deepEqual(state[Object.keys(state).find((k) => k.includes('mu/0'))!]!.shape, [2, 2]);
  tf.dispose(Object.values(state));
  runSteps(opt, closure, 1);
  // reference: x ← x − lr·d with g = 2x; kernel rows (tfjs axis 0) are torch columns
  const x = KB.flatMap((d) => d.value);
  const m = new Array<number>(x.length).fill(0);
  const v = new Array<number>(x.length).fill(0);
  for (let t = 1; t <= 2; t++) {
    const g = x.map((xi) => 2 * xi);
    for (let i = 0; i < x.length; i++) {
      const stateful = i >= 8 || kept.includes(Math.floor(i / 2));
      if (stateful) {
        m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
        v[i] = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
        x[i] = x[i]! - lr * (m[i]! / (1 - 0.9 ** t)) / (Math.sqrt(v[i]! / (1 - 0.999 ** t)) + 1e-8);
      } else {
        x[i] = x[i]! - lr * Math.sign(g[i]!);
      }
    }
  }
  assertClose(flat(params), x, 1e-6);
  opt.dispose();
  disposeParams(params);
});

test('frugal galore svd: the top singular direction of the gradient steps with Adam, the residual with its sign, by hand', () => {
  // torch-layout gradient [[2, 1, 0, 0], [1, 2, 0, 0]] (R 2 < C 4: left, rank round(2·0.5) = 1);
  // G·Gᵀ = [[5, 4], [4, 5]] → A = (1, 1)/√2; Aᵀ G = (3, 3, 0, 0)/√2, Adam's first step ≈ its sign
  // (1, 1, 0, 0), up: A·(1, 1, 0, 0) = 0.7071 in the first two columns; residual G − A·Aᵀ·G =
  // [[0.5, −0.5, 0, 0], [−0.5, 0.5, 0, 0]], sign ±1. The bias (gradient (1, −1)) is AdamW.
  const c = [2, 1, 1, 2, 0, 0, 0, 0, 1, -1];
  const defs: ParamDef[] = [{ value: new Array(8).fill(0), shape: [4, 2], role: 'kernel' }, { value: [0, 0], role: 'bias' }];
  const t = trajectory({ name: 'frugal', projection: 'galore', lr: 0.1, weight_decay: 0, density: 0.5 }, defs, linear(c), 1);
  const a = Math.SQRT1_2;
  // tfjs layout [in, out]: element (in j, out i) is torch (i, j)
  assertClose(t.params[0]!, [-0.1 * (a + 1), -0.1 * (a - 1), -0.1 * (a - 1), -0.1 * (a + 1), 0, 0, 0, 0, -0.1, 0.1], 1e-6);
  // state: 1·4 projected entries of the 8 kernel entries, plus the 2 bias entries, of 10
  assertClose([t.diagnostics[0]!.state_full_fraction!], [0.6], 1e-7);
});

const TWO: ParamDef[] = [{ value: [1, -0.5, 0.25, 0.75, 2, -1], shape: [3, 2], role: 'kernel' }, { value: [0.5, -1], role: 'bias' }];

test('frugal coord and galore: ρ 1 is AdamW until a refresh resets it (randperm, every coordinate choice), ρ 0 signSGD on the matrices', () => {
  const adamw = trajectory({ name: 'adamw', lr: 0.1, weight_decay: 0.1 }, TWO, sumSquares, 3);
  for (const extra of [{ projection: 'coord', coord_choice: 'columns' }, { projection: 'coord', coord_choice: 'rows' }, { projection: 'coord', coord_choice: 'randk' }, { projection: 'galore', proj_type: 'randperm' }, { projection: 'galore', proj_type: 'randperm', proj_side: 'reverse_std' }]) {
    const all = trajectory({ name: 'frugal', lr: 0.1, weight_decay: 0.1, density: 1, ...extra }, TWO, sumSquares, 3);
    assertClose(all.params.flat(), adamw.params.flat(), 1e-6, 1e-7);
  }
  // ρ 0: the kernel takes lr·sign(g); the bias stays AdamW
  const none = trajectory({ name: 'frugal', projection: 'coord', lr: 0.1, weight_decay: 0, density: 0 }, TWO, sumSquares, 2);
  const sign = trajectory({ name: 'sign-sgd', lr: 0.1 }, TWO, sumSquares, 2);
  assert.deepEqual(none.params.map((p) => p.slice(0, 6)), sign.params.map((p) => p.slice(0, 6)));
  const adam = trajectory({ name: 'adamw', lr: 0.1, weight_decay: 0 }, TWO, sumSquares, 2);
  assertClose(none.params.flatMap((p) => p.slice(6)), adam.params.flatMap((p) => p.slice(6)), 1e-6);
  // inactive_update_rule no: the kernel does not move; sgd: it takes lr·inactive_lr_scale·g
  const frozen = trajectory({ name: 'frugal', projection: 'galore', lr: 0.1, weight_decay: 0, density: 0, inactive_update_rule: 'no' }, TWO, sumSquares, 2);
  assert.deepEqual(frozen.params[1]!.slice(0, 6), TWO[0]!.value);
  const sgd = trajectory({ name: 'frugal', projection: 'galore', lr: 0.1, weight_decay: 0, density: 0, inactive_update_rule: 'sgd', inactive_lr_scale: 0.5 }, TWO, sumSquares, 1);
  assertClose(sgd.params[0]!.slice(0, 6), TWO[0]!.value.map((x) => x - 0.05 * 2 * x), 1e-7);
});

test('frugal block, coord and galore: a fresh optimizer restored mid-run continues bit-identically across refreshes, without leaks', () => {
  const variants: Spec[] = [
    { projection: 'coord', coord_choice: 'columns' }, { projection: 'coord', coord_choice: 'rows' }, { projection: 'coord', coord_choice: 'randk' },
    { projection: 'galore', proj_type: 'svd' }, { projection: 'galore', proj_type: 'random' }, { projection: 'galore', proj_type: 'randperm', proj_side: 'full' },
    { projection: 'galore', proj_type: 'svd', reset_statistics: false }, { projection: 'coord', reset_statistics: false, inactive_update_rule: 'sgd' },
    // block: both tensors projectable, so ρ 0.5 is one tensor of two (mirror: ρ 1, the pair)
    ...(['random', 'ascending', 'descending'] as const).map((block_order) => ({ projection: 'block', block_order, state_full_roles: [] })),
    { projection: 'block', block_order: 'mirror', state_full_roles: [], density: 1 },
  ].map((v) => ({ name: 'frugal', lr: 0.05, density: 0.5, update_gap: 2, seed: 4, ...v }));
  const defs: ParamDef[] = [{ value: [0.1, -0.2, 0.3, 0.05, -0.1, 0.2], shape: [3, 2], role: 'kernel' }, { value: [0.01, -0.02], role: 'bias' }];
  for (const spec of variants) {
    const a = makeParams(defs);
    const optA = createOptimizer(spec, a);
    runSteps(optA, closureOf(a, softmaxRegression), 3);
    const saved = optA.getState();
    const savedParams = flat(a);
    const before = tf.memory().numTensors;
    runSteps(optA, closureOf(a, softmaxRegression), 3);
    assert.equal(tf.memory().numTensors, before, `${JSON.stringify(spec)}: tensors leaked`);
    const expected = flat(a);
    const b = makeParams(defs.map((d, i) => ({ ...d, value: savedParams.slice(i === 0 ? 0 : 6, i === 0 ? 6 : 8) })));
    const optB = createOptimizer(spec, b);
    optB.setState(saved);
    tf.dispose(Object.values(saved));
    runSteps(optB, closureOf(b, softmaxRegression), 3);
    assert.deepEqual(flat(b), expected, JSON.stringify(spec));
    assert.notDeepEqual(expected, savedParams);
    optA.dispose();
    optB.dispose();
    disposeParams(a);
    disposeParams(b);
  }
});
