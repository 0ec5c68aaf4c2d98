/**
 * The seed papers' plain rules (issue 21): normalized GD (α, eps), loss-normalised GD (Normalized
 * LR+GD), SGLD and optax's noisy SGD, worked by hand on f = Σx² (g = 2x) from x = (3, 4) where
 * stated: L = 25, ‖g‖ = 10; and FRUGAL against its two limits (AdamW, signSGD) and its set draws.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, tf } from '../support/tf.js';
import { Rng } from '../../src/core/random.js';
import { trajectory } from './helpers-run.js';
import { createOptimizer } from '../../src/optim/index.js';
import { frugalBlockCount, frugalBlocks, type BlockOrder } from '../../src/optim/optimizers/frugal.js';
import { closureOf, disposeParams, linear, makeParams, parabola, runSteps, sumSquares } from './helpers.js';

const X = [{ value: [3, 4] }];

test('normalized-gd: x − lr·g/‖g‖ is a fixed-length step; α and eps change the normaliser', () => {
  // lr 0.5: x − 0.5·2x/10 = 0.9x; then ‖g‖ = 9: x(1 − 1/9) → (2.4, 3.2)
  const t = trajectory({ name: 'normalized-gd', lr: 0.5 }, X, sumSquares, 2);
  assertClose(t.params.flat(), [2.7, 3.6, 2.4, 3.2], 1e-6);
  assertClose([t.diagnostics[0]!.grad_norm!, t.diagnostics[1]!.grad_norm!], [10, 9], 1e-6);
  // α = ½: x − 0.5·2x/sqrt(10) = x(1 − 0.3162278)
  const half = trajectory({ name: 'normalized-gd', lr: 0.5, alpha: 0.5 }, X, sumSquares, 1);
  assertClose(half.params.flat(), [2.0513167, 2.7350889], 1e-6);
  // eps 1 (optax places it beside the norm): x − 0.5·2x/11
  const eps = trajectory({ name: 'normalized-gd', lr: 0.5, eps: 1 }, X, sumSquares, 1);
  assertClose(eps.params.flat(), [2.7272727, 3.6363636], 1e-6);
  // α = 0 is plain GD: x − 0.5·2x = 0
  assertClose(trajectory({ name: 'normalized-gd', lr: 0.5, alpha: 0 }, X, sumSquares, 1).params.flat(), [0, 0], 1e-7);
});

test('normalized-gd and loss-normalized-gd: a vanished normaliser gives a zero step, not NaN', () => {
  const zero = [{ value: [0, 0] }];
  assert.deepEqual(trajectory({ name: 'normalized-gd' }, zero, sumSquares, 2).params.flat(), [0, 0, 0, 0]);
  assert.deepEqual(trajectory({ name: 'loss-normalized-gd' }, zero, sumSquares, 2).params.flat(), [0, 0, 0, 0]);
});

test('loss-normalized-gd: x − lr·g/L (Tyurin 2024 eq. 5), and g/(L − lb)', () => {
  // L = 25: x − 2x/25 = 0.92x = (2.76, 3.68); L = 21.16: x(1 − 2/21.16) = (2.4991304, 3.3321739)
  const t = trajectory({ name: 'loss-normalized-gd', lr: 1 }, X, sumSquares, 2);
  assertClose(t.params.flat(), [2.76, 3.68, 2.4991304, 3.3321739], 1e-6);
  assertClose([t.diagnostics[0]!.normalizer!], [25], 1e-6);
  // lb 5: L − lb = 20: x − 2x/20 = 0.9x
  assertClose(trajectory({ name: 'loss-normalized-gd', lr: 1, lb: 5 }, X, sumSquares, 1).params.flat(), [2.7, 3.6], 1e-6);
});

test('sgld: temperature 0 is SGD; the noise is sqrt(2·lr·T)·ξ from the seeded per-step stream', () => {
  const cold = trajectory({ name: 'sgld', lr: 0.1, temperature: 0 }, X, sumSquares, 2);
  // x − 0.1·2x = 0.8x, twice
  assertClose(cold.params.flat(), [2.4, 3.2, 1.92, 2.56], 1e-6);
  // zero gradient (f = 0·x): the step is the noise alone; lr 0.5, T 4: std sqrt(2·0.5·4) = 2
  const n = 4000;
  const zeros = [{ value: new Array<number>(n).fill(0) }];
  const flatProblem = linear(new Array<number>(n).fill(0));
  const hot = trajectory({ name: 'sgld', lr: 0.5, temperature: 4, seed: 7 }, zeros, flatProblem, 2);
  const first = hot.params[0]!;
  const xi = Rng.derive(7, 'sgld', 1, 0).fillNormal(new Float32Array(n));
  assertClose(first, Array.from(xi, (v) => 2 * v), 1e-6);
  const second = hot.params[1]!.map((v, i) => v - first[i]!);
  const xi2 = Rng.derive(7, 'sgld', 2, 0).fillNormal(new Float32Array(n));
  assertClose(second, Array.from(xi2, (v) => 2 * v), 1e-5);
  const variance = first.reduce((s, v) => s + v * v, 0) / n;
  assert.ok(Math.abs(variance - 4) < 0.3, `variance ${variance}`);
  // another seed, another stream
  const other = trajectory({ name: 'sgld', lr: 0.5, temperature: 4, seed: 8 }, zeros, flatProblem, 1);
  assert.notDeepEqual(other.params[0], first);
});

test('sgld: the coupled weight decay joins the gradient before the lr', () => {
  // wd 1: g + x = 3x; x − 0.1·3x = 0.7x
  assertClose(trajectory({ name: 'sgld', lr: 0.1, temperature: 0, weight_decay: 1 }, X, sumSquares, 1).params.flat(), [2.1, 2.8], 1e-6);
});

test('noisy-sgd: −lr·(g + sqrt(eta/t^γ)·ξ) (optax add_noise then scale_by_learning_rate)', () => {
  const n = 3;
  const zeros = [{ value: [0, 0, 0] }];
  // lr 0.5, eta 4, γ 2: step 1 std 2, step 2 std sqrt(4/4) = 1
  const t = trajectory({ name: 'noisy-sgd', lr: 0.5, eta: 4, gamma: 2 }, zeros, linear([0, 0, 0]), 2);
  const xi1 = Rng.derive(0, 'noisy-sgd', 1, 0).fillNormal(new Float32Array(n));
  const xi2 = Rng.derive(0, 'noisy-sgd', 2, 0).fillNormal(new Float32Array(n));
  const expected1 = Array.from(xi1, (v) => -0.5 * 2 * v);
  assertClose(t.params[0]!, expected1, 1e-6);
  assertClose(t.params[1]!, Array.from(xi2, (v, i) => expected1[i]! - 0.5 * 1 * v), 1e-6);
});

const TWO = [{ value: [1, -0.5, 0.25, 0.75], shape: [2, 2], role: 'kernel' as const }, { value: [0.5, -1], role: 'bias' as const }];

test('frugal: density 1 is AdamW; density 0 with no always-full role is signSGD (inactive_lr_scale scales it)', () => {
  const all = trajectory({ name: 'frugal', lr: 0.1, weight_decay: 0.1, density: 1 }, TWO, parabola, 3);
  const adamw = trajectory({ name: 'adamw', lr: 0.1, weight_decay: 0.1 }, TWO, parabola, 3);
  assertClose(all.params.flat(), adamw.params.flat(), 1e-6, 1e-7);
  assert.deepEqual(all.diagnostics.map((d) => d.state_full_fraction), [1, 1, 1]);
  const none = trajectory({ name: 'frugal', lr: 0.1, weight_decay: 0, density: 0, state_full_roles: [] }, TWO, parabola, 3);
  const signSgd = trajectory({ name: 'sign-sgd', lr: 0.1 }, TWO, parabola, 3);
  assert.deepEqual(none.params, signSgd.params);
  const half = trajectory({ name: 'frugal', lr: 0.2, weight_decay: 0, density: 0, state_full_roles: [], inactive_lr_scale: 0.5 }, TWO, parabola, 3);
  assertClose(half.params.flat(), signSgd.params.flat(), 1e-7);
});

test('frugal block: BlockAdamW counts round(ρ·n) tensors (half to even) and walks them in each block_order', () => {
  assert.deepEqual([[3, 0.25], [2, 0.25], [6, 0.25], [10, 0.25], [2, 0.75], [4, 0]].map(([n, r]) => frugalBlockCount(n!, r!)), [1, 0, 2, 2, 2, 0]);
  const periods = (order: BlockOrder, n: number, m: number) => Array.from({ length: 4 }, (_, k) => frugalBlocks(3, k, n, m, order));
  // official next_block_start: ascending 0 → 2 → 4 → 1; descending 4 → 2 → 0 → 3; mirror over half = 2: 0 → 1 → 0
  assert.deepEqual(periods('ascending', 5, 2), [[0, 1], [2, 3], [4, 0], [1, 2]]);
  assert.deepEqual(periods('descending', 5, 2), [[4, 3], [2, 1], [0, 4], [3, 2]]);
  assert.deepEqual(periods('mirror', 5, 2), [[0, 4], [1, 3], [0, 4], [1, 3]]);
  assert.deepEqual(periods('mirror', 6, 4), [[0, 5, 1, 4], [2, 3, 0, 5], [1, 4, 2, 3], [0, 5, 1, 4]]);
  const random = Array.from({ length: 8 }, (_, k) => frugalBlocks(3, k, 5, 2, 'random'));
  for (const s of random) assert.ok(new Set(s).size === 2 && s.every((i) => i >= 0 && i < 5));
  assert.deepEqual(frugalBlocks(3, 5, 5, 2, 'random'), random[5]);
  assert.ok(new Set(random.map((s) => [...s].sort().join())).size > 1, 'different periods draw different sets');
  assert.deepEqual(frugalBlocks(3, 0, 5, 0, 'random'), []);
});

test('frugal block: a refresh restarts every projectable tensor, one staying in the set too; the bias role never restarts', () => {
  const defs = [{ value: [1, 2], role: 'kernel' as const }, { value: [3, 4], role: 'kernel' as const }, { value: [0.5], role: 'bias' as const }];
  const params = makeParams(defs);
  const opt = createOptimizer({ name: 'frugal', lr: 0.01, density: 0.5, update_gap: 2, seed: 1 }, params);
  const closure = closureOf(params, parabola);
  let stayed = 0;
  let previous: number[] = [];
  for (let step = 0; step < 16; step++) {
    const active = frugalBlocks(1, Math.floor(step / 2), 2, 1, 'random');
    if (step % 2 === 0 && step > 0 && active[0] === previous[0]) stayed += 1;
    previous = active;
    runSteps(opt, closure, 1);
    const state = opt.getState();
    const steps = Object.entries(state).filter(([k]) => k.includes('steps')).sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => t.dataSync()[0]);
    const moments = Object.entries(state).filter(([k]) => /mu/.test(k)).sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => Array.from(t.dataSync()).some((v) => v !== 0));
    // the active kernel counts from the refresh (1 or 2), the other holds 0 and zero moments; the bias counts every step
    assert.deepEqual(steps, [0, 1].map((i) => (active.includes(i) ? (step % 2) + 1 : 0)).concat([step + 1]), `step ${step}`);
    assert.deepEqual(moments, [active.includes(0), active.includes(1), true]);
    tf.dispose(Object.values(state));
  }
  assert.ok(stayed > 0, 'the seed-1 draws keep a kernel in the set across a refresh at least once in 8 periods');
  opt.dispose();
  disposeParams(params);
});

test('frugal block: ρ 1 with update_gap 2 is AdamW restarted every 2 steps; mirror needs an even count', () => {
  const spec = { name: 'frugal', lr: 0.1, weight_decay: 0.1, density: 1, update_gap: 2, state_full_roles: [] };
  const frugal = trajectory(spec, TWO, parabola, 4);
  const first = trajectory({ name: 'adamw', lr: 0.1, weight_decay: 0.1 }, TWO, parabola, 2);
  const restart = TWO.map((d, i) => ({ ...d, value: first.params[1]!.slice(i === 0 ? 0 : 4, i === 0 ? 4 : 6) }));
  const second = trajectory({ name: 'adamw', lr: 0.1, weight_decay: 0.1 }, restart, parabola, 2);
  assertClose(frugal.params.flat(), [...first.params, ...second.params].flat(), 1e-6, 1e-7);
  assert.throws(() => trajectory({ ...spec, density: 0.5, block_order: 'mirror' }, TWO, parabola, 1), /even number/);
});
