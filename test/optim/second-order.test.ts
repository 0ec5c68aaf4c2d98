/**
 * lbfgs and sophia against hand-worked steps (the registry contract tests cover descent, memory,
 * checkpoints and gradEvals bounds; scripts/official compares them with torch.optim.LBFGS and
 * Liuhong99/Sophia step by step).
 */
import { tf } from '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOptimizer } from '../../src/optim/index.js';
import { cubicInterpolate } from '../../src/optim/strong-wolfe.js';
import { drawLabels } from '../../src/train/sampled-labels.js';
import { Rng } from '../../src/core/random.js';
import { closureOf, disposeParams, flat, makeParams, parabola, runSteps } from './helpers.js';

const close = (got: readonly number[], want: readonly number[], tol = 1e-5) =>
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)), `[${i}] ${g} vs ${want[i]}`));

// f = ½(1·x₀² + 2·x₁²) from (1, 2): g = (1, 4)
const START = [{ value: [1, 2] }];

test('lbfgs: one iteration is a gradient step of min(1, 1/‖g‖₁)·lr, no re-evaluation on the last iteration', () => {
  const params = makeParams(START);
  const opt = createOptimizer({ name: 'lbfgs', max_iter: 1 }, params);
  const { gradEvals } = runSteps(opt, closureOf(params, parabola), 1);
  close(flat(params), [0.8, 1.2]);
  assert.deepEqual(gradEvals, [1]);
  opt.dispose();
  disposeParams(params);
});

test('lbfgs: the second iteration is the two-loop recursion over (s, y) with H_diag = yᵀs/yᵀy', () => {
  // x1 = (0.8, 1.2), g1 = (0.8, 2.4); y = (−0.2, −1.6), s = (−0.2, −0.8), yᵀs = 1.32, H_diag = 1.32/2.6;
  // q = −g1 − α·y with α = sᵀ(−g1)/1.32 = 2.08/1.32; r = H_diag·q; β = yᵀr/1.32; d = r + s·(α − β); x2 = x1 + 1·d
  const params = makeParams(START);
  // max_eval 10: torch's default floor(2·5/4) = 2 would stop after the first re-evaluation
  const opt = createOptimizer({ name: 'lbfgs', max_iter: 2, max_eval: 10 }, params);
  const { gradEvals } = runSteps(opt, closureOf(params, parabola), 1);
  close(flat(params), [0.23123543, -0.02890443]);
  assert.deepEqual(gradEvals, [2]);
  opt.dispose();
  disposeParams(params);
});

test('lbfgs: the history carries across steps (max_iter 1, two steps = max_iter 2 in one step)', () => {
  const a = makeParams(START);
  const opt = createOptimizer({ name: 'lbfgs', max_iter: 1 }, a);
  runSteps(opt, closureOf(a, parabola), 2);
  close(flat(a), [0.23123543, -0.02890443]);
  opt.dispose();
  disposeParams(a);
});

test('lbfgs strong_wolfe: on ½·3·x² from 0.5 the first trial (x = −0.5) fails Armijo, the cubic zoom lands on 0', () => {
  const params = makeParams([{ value: [0.5] }]);
  const f = { loss: (xs: readonly tf.Tensor[]) => tf.tidy(() => tf.mul(1.5, tf.sum(tf.square(xs[0]!))) as tf.Scalar), grads: (xs: readonly tf.Tensor[]) => [tf.mul(3, xs[0]!)] };
  // max_eval 10: with torch's default floor(5/4) = 1 the search has no trial left (max_ls 0) and keeps t = 0
  const opt = createOptimizer({ name: 'lbfgs', max_iter: 1, max_eval: 10, line_search_fn: 'strong_wolfe' }, params);
  const { gradEvals } = runSteps(opt, closureOf(params, f), 1);
  close(flat(params), [0], 1e-6);
  assert.deepEqual(gradEvals, [3]);
  opt.dispose();
  disposeParams(params);
});

test('cubicInterpolate: exact minimiser of a quadratic through two points with slopes; midpoint without a real root', () => {
  // f = (t − 1)²: f(0) = 1, f'(0) = −2; f(3) = 4, f'(3) = 4
  assert.ok(Math.abs(cubicInterpolate(0, 1, -2, 3, 4, 4) - 1) < 1e-12);
  // d1 = 0, d1² − g1·g2 = −1 < 0: the middle of the bounds
  assert.equal(cubicInterpolate(0, 0, 1, 2, 4 / 3, 1), 1);
});

test('sophia hutchinson: on a diagonal quadratic v⊙Hv = a, so a step is x − lr·min(|x|/ρ, 1)·sign(x) (β 0.5, k 1, at start)', () => {
  // h = 0.5·a, m = 0.5·a·x, |m|/(ρ·h) = |x|/ρ
  const params = makeParams(START);
  const opt = createOptimizer({ name: 'sophia', estimator: 'hutchinson', lr: 1, betas: [0.5, 0.5], rho: 10, weight_decay: 0, k: 1, update_at_start: true }, params);
  const { gradEvals } = runSteps(opt, closureOf(params, parabola), 1);
  close(flat(params), [0.9, 1.8], 1e-4);
  assert.deepEqual(gradEvals, [3]);
  opt.dispose();
  disposeParams(params);
});

test('sophia: official schedule (no estimate before step k; h = 0 gives sign-momentum steps of lr), decoupled decay', () => {
  const params = makeParams(START);
  const opt = createOptimizer({ name: 'sophia', estimator: 'hutchinson', lr: 0.1, weight_decay: 0.5, k: 2 }, params);
  const { gradEvals } = runSteps(opt, closureOf(params, parabola), 3);
  assert.deepEqual(gradEvals, [1, 1, 3]);
  // step 1: p(1 − 0.05) − 0.1·sign(m): (0.95 − 0.1, 1.9 − 0.1)
  opt.dispose();
  disposeParams(params);
  const p2 = makeParams(START);
  const one = createOptimizer({ name: 'sophia', estimator: 'hutchinson', lr: 0.1, weight_decay: 0.5, k: 2 }, p2);
  runSteps(one, closureOf(p2, parabola), 1);
  close(flat(p2), [0.85, 1.8]);
  one.dispose();
  disposeParams(p2);
});

test('sophia gnb: h = (1 − β2)·ĝ², scaled by the labels drawn (bs = rows); paper_clip bounds a zero h at a sign step', () => {
  const params = makeParams(START);
  const sampledGrad = [3, 0];
  const sampled = () => ({ loss: tf.scalar(0), grads: [tf.tensor1d(sampledGrad)], rows: 4 });
  const run = (extra: Record<string, unknown>) => {
    const p = makeParams(START);
    const opt = createOptimizer({ name: 'sophia', lr: 1, betas: [0.5, 0.5], rho: 0.5, weight_decay: 0, k: 1, update_at_start: true, ...extra }, p);
    const closure = closureOf(p, parabola);
    const evals = tf.tidy(() => opt.step(closure, undefined, { sampled }).gradEvals);
    const out = flat(p);
    opt.dispose();
    disposeParams(p);
    return { out, evals };
  };
  // m = 0.5·g = (0.5, 2); h = 0.5·(9, 0); ratio₀ = 0.5/(0.5·4·4.5) = 1/18; ratio₁ = 2/1e-15 → 1
  const a = run({});
  close(a.out, [1 - 1 / 18, 1]);
  assert.equal(a.evals, 2);
  close(run({ paper_clip: true }).out, [1 - 1 / 18, 1]);
  // bs fixed at 1: ratio₀ = 0.5/(0.5·4.5) = 2/9
  close(run({ bs: 1 }).out, [1 - 2 / 9, 1]);
  disposeParams(params);
});

test('sophia gnb without a label-drawing caller is a clear error', () => {
  const params = makeParams(START);
  const opt = createOptimizer({ name: 'sophia', k: 1, update_at_start: true }, params);
  assert.throws(() => runSteps(opt, closureOf(params, parabola), 1), /estimator gnb draws labels/);
  opt.dispose();
  disposeParams(params);
});

test('drawLabels: inverse CDF of each row at Rng(seed) uniforms', () => {
  const probs = [0.2, 0.3, 0.5, 1, 0, 0, 0, 0, 1];
  const rng = new Rng(7);
  const u = [rng.uniform(), rng.uniform(), rng.uniform()];
  const first = u[0]! < 0.2 ? 0 : u[0]! < 0.5 ? 1 : 2;
  assert.deepEqual(Array.from(drawLabels(probs, 3, 3, 7)), [first, 0, 2]);
  // frequencies follow the probabilities
  const many = drawLabels(Array.from({ length: 3000 }, (_, i) => [0.2, 0.3, 0.5][i % 3]!), 1000, 3, 1);
  const counts = [0, 0, 0];
  for (const c of many) counts[c]!++;
  assert.ok(Math.abs(counts[0]! - 200) < 50 && Math.abs(counts[2]! - 500) < 60, `${counts}`);
});

test('sophia paper_clip: with a negative Hutchinson h the paper\'s max(ρh, ε) takes a sign step, the code\'s ρh + 1e-15 flips it', () => {
  // f = −½x² from 1: g = −1, v⊙Hv = −1; β 0.5: m = −0.5, h = −0.5, ρ 1
  const concave = { loss: (xs: readonly tf.Tensor[]) => tf.tidy(() => tf.mul(-0.5, tf.sum(tf.square(xs[0]!))) as tf.Scalar), grads: (xs: readonly tf.Tensor[]) => [tf.neg(xs[0]!)] };
  const after = (paper_clip: boolean) => {
    const p = makeParams([{ value: [1] }]);
    const opt = createOptimizer({ name: 'sophia', estimator: 'hutchinson', lr: 0.1, betas: [0.5, 0.5], rho: 1, weight_decay: 0, k: 1, update_at_start: true, paper_clip }, p);
    runSteps(opt, closureOf(p, concave), 1);
    const out = flat(p);
    opt.dispose();
    disposeParams(p);
    return out;
  };
  close(after(true), [1.1]);
  close(after(false), [0.9]);
});
