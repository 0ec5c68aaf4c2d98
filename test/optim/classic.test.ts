/**
 * The torch.optim classics (RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD, AMSGrad) and
 * signSGD/Signum, worked by hand on f = ½x² (g = x) from x = 1 unless stated; numbers from the
 * update rules in each file's header, evaluated in double.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose } from '../support/tf.js';
import { createOptimizer } from '../../src/optim/index.js';
import { closureOf, disposeParams, makeParams, parabola, runSteps } from './helpers.js';
import { trajectory } from './helpers-run.js';

const ONE = [{ value: [1] }];

test('rmsprop: eps outside the root; centred variance; momentum on the normalised step', () => {
  // lr 0.1, α 0.9. step 1: v = 0.1, x = 1 − 0.1/sqrt(0.1) = 0.6837722
  // step 2: g = 0.6837722, v = 0.09 + 0.1·0.4675445 = 0.1367544, x = 0.6837722 − 0.1·g/sqrt(v) = 0.4988706
  const plain = trajectory({ name: 'rmsprop', lr: 0.1, alpha: 0.9 }, ONE, parabola, 2);
  assertClose(plain.params.flat(), [0.6837722, 0.4988706], 2e-6);
  // centred, momentum 0.5: step 1: m = 0.1, avg = sqrt(0.1 − 0.01) = 0.3, buf = 1/0.3, x = 1 − 0.1/0.3 = 0.6666667
  const centred = trajectory({ name: 'rmsprop', lr: 0.1, alpha: 0.9, centered: true, momentum: 0.5 }, ONE, parabola, 3);
  assertClose(centred.params.flat(), [0.6666667, 0.2989010, 0.02084088], 2e-5, 1e-6);
});

test('adagrad: initial accumulator and lr/(1 + (t − 1)·lr_decay)', () => {
  // lr 0.1, lr_decay 0.5, s₀ 0.1. step 1: s = 1.1, x = 1 − 0.1/sqrt(1.1) = 0.9046537
  // step 2: clr = 0.1/1.5, s = 1.1 + 0.9046537², x = 0.9046537 − clr·0.9046537/sqrt(s) = 0.8611104
  const t = trajectory({ name: 'adagrad', lr: 0.1, lr_decay: 0.5, initial_accumulator_value: 0.1 }, ONE, parabola, 2);
  assertClose(t.params.flat(), [0.9046537, 0.8611104], 2e-6);
});

test('adadelta: sqrt(Δ + eps)/sqrt(v + eps)·g with lr 1 (the paper has none)', () => {
  // step 1: v = 0.1, d = sqrt(1e-6)/sqrt(0.100001) = 0.0031623, Δ = 0.1·d²; x = 0.9968377
  const t = trajectory({ name: 'adadelta' }, ONE, parabola, 3);
  assertClose(t.params.flat(), [0.9968377, 0.9935982, 0.9903091], 1e-6);
});

test('adamax: the infinity norm max(β2·u, |g| + eps) and lr/(1 − β1^t)', () => {
  // lr 0.1. step 1: m = 0.1, u = 1, x = 1 − 0.1·0.1/1/0.1 = 0.9
  // step 2: m = 0.09 + 0.09 = 0.18, u = max(0.999, 0.9) = 0.999 (the max keeps the old norm), x = 0.9 − 0.1·0.18/0.999/0.19 = 0.8051683
  const t = trajectory({ name: 'adamax', lr: 0.1 }, ONE, parabola, 2);
  assertClose(t.params.flat(), [0.9, 0.8051683], 1e-6);
});

test('nadam: the μ_t schedule and μ product; coupled vs decoupled decay', () => {
  // lr 0.1: μ1 = 0.9(1 − ½·0.96^0.004) = 0.4500735, μ2 = 0.4501470, Π1 = μ1; D = 1 + 1e-8
  // x = 1 − 0.1·((1 − μ1)/(1 − Π1) + μ2/(1 − Π1·μ2)·0.1) = 0.8943548
  const t = trajectory({ name: 'nadam', lr: 0.1 }, ONE, parabola, 2);
  assertClose(t.params.flat(), [0.8943548, 0.8199731], 2e-6);
  // NAdamW (wd 0.5): p·(1 − 0.05) first, then the same step: 0.95 − 0.1056452 = 0.8443548
  const w = trajectory({ name: 'nadam', lr: 0.1, weight_decay: 0.5, decoupled_weight_decay: true }, ONE, parabola, 2);
  assertClose(w.params.flat(), [0.8443548, 0.7298834], 2e-6);
});

test('radam: SGD with momentum while ρ_t ≤ 5, then the rectified Adam step', () => {
  // β = (0.9, 0.9): ρ∞ = 19, ρ_t = 1, 1.95, 2.86, 3.74, 4.58, 5.39, … → steps 1–5 are x − lr·m̂
  // (step 1: m̂ = g → 0.9), from step 6 r_t·sqrt(1 − β2^t)/(sqrt(v) + eps) multiplies it
  const t = trajectory({ name: 'radam', lr: 0.1, betas: [0.9, 0.9] }, ONE, parabola, 8);
  assertClose(t.params.flat(), [0.9, 0.8052632, 0.7157701, 0.6314866, 0.5523642, 0.5273580, 0.4951699, 0.4570905], 2e-6);
});

test('adam amsgrad: the running maximum of v keeps a shrinking gradient from enlarging the step', () => {
  // lr 0.5, β2 0.5. step 1 → 0.5; step 2: v = 0.375 < v_max = 0.5, m̂ = 0.14/0.19
  // x = 0.5 − 0.5·m̂/(sqrt(0.5/0.75)) = 0.0487782 (Adam: sqrt(0.375/0.75) → −0.0210260)
  const ams = trajectory({ name: 'adam', lr: 0.5, betas: [0.9, 0.5], amsgrad: true }, ONE, parabola, 3);
  assertClose(ams.params.flat(), [0.5, 0.04877821, -0.2706592], 2e-6, 1e-6);
  const plain = trajectory({ name: 'adamw', lr: 0.5, betas: [0.9, 0.5], weight_decay: 0 }, ONE, parabola, 2);
  assertClose(plain.params.flat(), [0.5, -0.02102604], 2e-6, 1e-6);
});

test('asgd: decay term, η_t = lr/(1 + λ·lr·t)^α, and the average ax from t0 on', () => {
  // lr 0.1, λ 0.1, α 0.5, t0 1. step 1: η = 0.1, x = 1·(1 − 0.01) − 0.1 = 0.89, then η = 0.1/sqrt(1.01)
  // μ = 1/max(1, t − t0): ax copies x for steps 1–3, then averages (μ = ½ at step 4)
  const params = makeParams(ONE);
  const opt = createOptimizer({ name: 'asgd', lr: 0.1, lambd: 0.1, alpha: 0.5, t0: 1 }, params);
  const closure = closureOf(params, parabola);
  const xs: number[] = [];
  const axs: number[] = [];
  for (let i = 0; i < 4; i++) {
    runSteps(opt, closure, 1);
    xs.push(params[0]!.variable.dataSync()[0]!);
    const state = opt.getState();
    axs.push(state['asgd/ax/0']!.dataSync()[0]!);
    tf.dispose(Object.values(state));
  }
  assertClose(xs, [0.89, 0.7925859, 0.7062604, 0.6297115], 2e-6);
  assertClose(axs, [0.89, 0.7925859, 0.7062604, 0.6679859], 2e-6);
  opt.dispose();
  disposeParams(params);
});

test('sign-sgd and signum: a sign step of lr; Signum follows the sign of an EMA', () => {
  // x = 0.15, lr 0.1: signSGD oscillates 0.05, −0.05, 0.05, −0.05.
  // Signum β 0.5: m = 0.075, 0.0625, 0.00625 (still > 0 at x = −0.05), −0.0719 → 0.05, −0.05, −0.15, −0.05
  const start = [{ value: [0.15] }];
  const s = trajectory({ name: 'sign-sgd', lr: 0.1 }, start, parabola, 4);
  assertClose(s.params.flat(), [0.05, -0.05, 0.05, -0.05], 1e-5, 1e-6);
  const m = trajectory({ name: 'signum', lr: 0.1, momentum: 0.5 }, start, parabola, 4);
  assertClose(m.params.flat(), [0.05, -0.05, -0.15, -0.05], 1e-5, 1e-6);
  // wd_lh is decoupled (outside the sign): x = 1 − 0.1·0.5·1 − 0.1 = 0.85
  const d = trajectory({ name: 'sign-sgd', lr: 0.1, wd_lh: 0.5 }, ONE, parabola, 1);
  assertClose(d.params.flat(), [0.85], 1e-6);
  // coupled weight_decay goes inside: g + wd·x keeps the sign here, so the step is lr alone
  const c = trajectory({ name: 'sign-sgd', lr: 0.1, weight_decay: 0.5 }, ONE, parabola, 1);
  assert.ok(Math.abs(c.params[0]![0]! - 0.9) < 1e-6);
});
