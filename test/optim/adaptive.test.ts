/** Lion, Grams, MoMo and MoMo-Adam, worked by hand, plus the capped-MoMo identities. */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../support/tf.js';
import { linear, parabola, softmaxRegression, sumSquares, type ParamDef } from './helpers.js';
import { trajectory } from './helpers-run.js';

const ONE = [{ value: [1] }];
const X123 = [{ value: [1, 2, 3] }];
const SOFTMAX: ParamDef[] = [
  { value: [0.1, -0.2, 0.3, 0.05, -0.1, 0.2], shape: [3, 2], role: 'kernel' },
  { value: [0.01, -0.02], role: 'bias' },
];

test('lion: decoupled decay and the sign of the interpolated momentum', () => {
  // f = ½x², x = 1, lr 0.1, betas (0.9, 0.99), wd 0.5
  // step 1: p = 1·(1 − 0.05) = 0.95; u = 0.1·1 > 0 → x = 0.85; m = 0.01
  // step 2: p = 0.85·0.95 = 0.8075; u = 0.009 + 0.085 > 0 → x = 0.7075   (without wd: 0.9, 0.8)
  const t = trajectory({ name: 'lion', lr: 0.1, weight_decay: 0.5 }, ONE, parabola, 2);
  assertClose(t.params.flat(), [0.85, 0.7075], 1e-6);
});

test('grams: eps on the uncorrected sqrt(v)', () => {
  // f = 1e-6·x, lr 1, defaults (eps 1e-6, correct_bias): m = 1e-7, v = 1e-15, denom = 3.1623e-8 + 1e-6
  // step = sqrt(0.001)/0.1 = 0.3162278; x = 1 − 0.3162278·1e-7/1.0316228e-6 = 1 − 0.0306534 = 0.9693466
  // (the paper-style m̂/(sqrt(v̂) + eps) would move 0.5)
  const t = trajectory({ name: 'grams', lr: 1 }, ONE, linear([1e-6]), 1);
  assertClose(t.params[0]!, [0.9693466], 1e-6);
});

test('grams: the direction is the sign of the CURRENT gradient, the size |m|', () => {
  // f = ½x², x = 1, lr 2: step 1 overshoots to x = 1 − 2·0.3162278·0.1/(0.0316228 + 1e-6) = −0.9999368
  // step 2: g = −0.9999368, m = 0.09 − 0.0999937 = −0.0099937 (Adam would keep moving down);
  //   Grams moves up by sign(g)·|m|: x = −0.8947392
  const t = trajectory({ name: 'grams', lr: 2 }, ONE, parabola, 2);
  assertClose(t.params.flat(), [-0.9999368, -0.8947392], 2e-6);
});

test('momo: proximal weight decay (the reference check case)', () => {
  // f = Σx², x = [1, 2, 3], lr 1, wd 0.1: g = d = [2, 4, 6], f̄ = 14, γ = <x, g> = 28, dot = 28, ‖d‖² = 56, c = 1.1
  // t1 = (1.1·14 + 28 − 1.1·28)/56 = 12.6/56 = 0.225 = tau;  x = (x − 0.225·2x)/1.1 = [0.5, 1, 1.5]
  // (optax's x/c − tau·d would give [0.459, 0.918, 1.377])
  const t = trajectory({ name: 'momo', lr: 1, weight_decay: 0.1 }, X123, sumSquares, 1);
  assertClose(t.params[0]!, [0.5, 1, 1.5], 1e-6);
  assertClose([t.diagnostics[0]!.tau!, t.diagnostics[0]!.t1!], [0.225, 0.225], 1e-6);
});

test('momo: bias correction', () => {
  // f̄ = 0.1·14 = 1.4, d = 0.1·g, γ = 2.8, ρ = 0.1, dot = 2.8, ‖d‖² = 0.56
  // t1 = (1.4 + 2.8 − 2.8)/0.56 = 2.5, tau = min(1/0.1, 2.5) = 2.5, x = x − 2.5·0.2x = 0.5x
  const t = trajectory({ name: 'momo', lr: 1, bias_correction: true }, X123, sumSquares, 1);
  assertClose(t.params[0]!, [0.5, 1, 1.5], 1e-6);
  assertClose([t.diagnostics[0]!.tau!], [2.5], 1e-6);
});

test('momo: use_fstar resets and updates the lower bound', () => {
  // step 1: cap = 14 ≥ 0 → lb 0; t1 = 14/56 = 0.25 → x = [0.5, 1, 1.5]; next lb = 14 − ½·0.25·56 = 7
  // step 2: f = 3.5, f̄ = 12.95, d = [1.9, 3.8, 5.7], γ = 25.9, dot = 13.3, ‖d‖² = 50.54
  //   cap = 12.95 + 13.3 − 25.9 = 0.35 < 7 → lb = 0.175; t1 = 0.175/50.54 = 0.0034626 → x = [0.4934211, 0.9868421, 1.4802632]
  const t = trajectory({ name: 'momo', lr: 1, use_fstar: true }, X123, sumSquares, 2);
  assertClose(t.params[1]!, [0.4934211, 0.9868421, 1.4802632], 1e-5);
  assertClose([t.diagnostics[0]!.lb!, t.diagnostics[1]!.lb!, t.diagnostics[1]!.tau!], [0, 0.175, 0.0034626], 1e-4, 1e-6);
});

test('momo: lb above the loss gives tau = 0; a zero gradient average takes no step (optax guard)', () => {
  // lb 100 > f = 14: t1 = max(14 − 100 + 28 − 28, 0)/56 = 0
  const high = trajectory({ name: 'momo', lr: 1, lb: 100 }, X123, sumSquares, 1);
  assert.deepEqual(high.params[0], [1, 2, 3]);
  // x = 0: d = 0, ‖d‖² = 0 → t1 = 0 rather than 0/0
  const zero = trajectory({ name: 'momo', lr: 1 }, [{ value: [0, 0] }], sumSquares, 1);
  assert.deepEqual(zero.params[0], [0, 0]);
  assert.equal(zero.diagnostics[0]!.tau, 0);
});

test('momo-adam: proximal (divide) and AdamW-style decay', () => {
  // f = Σx², x = [1, 2, 3], lr 2, wd 0.1: bc1 = 0.1, bc2 = 0.001; m = 0.1·g, D = |g| + eps, m/D = 0.1
  // γ = 2.8, dot = 2.8, Σ m²/D = 0.01·Σ|g| = 0.12, f̄ = 1.4, c = 1.2
  // t1 = (1.2·1.4 + 2.8 − 1.2·2.8)/0.12 = 9.3333, tau = min(2/0.1, 9.3333) = 9.3333; tau·m/D = 0.93333
  // divide: (x − 0.93333)/1.2 = [0.0555556, 0.8888889, 1.7222222]
  // not:    x·(1 − 0.2) − 0.93333 = [−0.1333333, 0.6666667, 1.4666667]
  const divide = trajectory({ name: 'momo-adam', lr: 2, weight_decay: 0.1 }, X123, sumSquares, 1);
  assertClose(divide.params[0]!, [0.0555556, 0.8888889, 1.7222222], 1e-5, 1e-6);
  assertClose([divide.diagnostics[0]!.tau!], [9.333333], 1e-5);
  const adamw = trajectory({ name: 'momo-adam', lr: 2, weight_decay: 0.1, divide: false }, X123, sumSquares, 1);
  assertClose(adamw.params[0]!, [-0.1333333, 0.6666667, 1.4666667], 1e-5, 1e-6);
});

test('capped MoMo equals torch SGD with momentum = dampening = beta', () => {
  // lr 0.01 ≪ t1 on this problem, so tau = lr every step
  const momo = trajectory({ name: 'momo', lr: 0.01, beta: 0.9 }, SOFTMAX, softmaxRegression, 6);
  assert.ok(momo.diagnostics.every((d) => Math.abs(d.tau! - 0.01) < 1e-9), 'the cap is active');
  const sgd = trajectory({ name: 'sgd', lr: 0.01, momentum: 0.9, dampening: 0.9 }, SOFTMAX, softmaxRegression, 6);
  assertClose(momo.params.flat(), sgd.params.flat(), 1e-6, 1e-8);
});

test('capped MoMo-Adam equals torch Adam', () => {
  const ma = trajectory({ name: 'momo-adam', lr: 1e-3 }, SOFTMAX, softmaxRegression, 6);
  assert.ok(ma.diagnostics.every((d, i) => Math.abs(d.tau! - 1e-3 / (1 - 0.9 ** (i + 1))) < 1e-7), 'the cap lr/bc1 is active');
  const adam = trajectory({ name: 'adam', lr: 1e-3 }, SOFTMAX, softmaxRegression, 6);
  assertClose(ma.params.flat(), adam.params.flat(), 1e-6, 1e-8);
});
