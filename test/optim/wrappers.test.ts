/**
 * SAM, ASAM, GSAM, GAM and ⊥Grad: one step worked by hand on f = ½ Σ a_j x_j² (∇f = a ⊙ x, a = 1, 2, 3 …)
 * with a plain SGD base (lr 0.1), and the identities that pin the wrappers to each other.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../support/tf.js';
import type { Spec } from '../../src/core/registry.js';
import { createOptimizer } from '../../src/optim/index.js';
import { disposeParams, makeParams, parabola, softmaxRegression, type ParamDef } from './helpers.js';
import { trajectory } from './helpers-run.js';

const SGD: Spec = { name: 'sgd', lr: 0.1 };
const SOFTMAX: ParamDef[] = [
  { value: [0.1, -0.2, 0.3, 0.05, -0.1, 0.2], shape: [3, 2], role: 'kernel' },
  { value: [0.01, -0.02], role: 'bias' },
];

test('sam: one step, davda54 form', () => {
  // w = [1, 2], a = [1, 2]: g = [1, 4], ‖g‖ = √17 = 4.1231056; rho 0.1 → e = g·0.1/‖g‖ = [0.0242536, 0.0970143]
  // g' = a ⊙ (w + e) = [1.0242536, 4.1940285] → x = w − 0.1·g' = [0.8975746, 1.5805971]
  const t = trajectory({ name: 'sam', rho: 0.1, base: SGD }, [{ value: [1, 2] }], parabola, 1);
  assertClose(t.params[0]!, [0.8975746, 1.5805971], 1e-6);
  assert.equal(t.gradEvals[0], 2);
  assertClose([t.diagnostics[0]!.grad_norm!], [Math.sqrt(17)], 1e-6);
  assertClose([t.losses[0]!], [0.5 * 1 + 0.5 * 2 * 4], 1e-7); // the loss of the FIRST evaluation
});

test('sam adaptive: e = rho·w²⊙g/‖|w|⊙g‖ on every tensor', () => {
  // |w|⊙g = [1, 8], n = √65 = 8.0622577; e = [1, 16]·0.1/n = [0.0124035, 0.1984563]
  // g' = [1.0124035, 4.3969125] → x = [0.8987597, 1.5603089]
  const t = trajectory({ name: 'sam', rho: 0.1, adaptive: true, base: SGD }, [{ value: [1, 2] }], parabola, 1);
  assertClose(t.params[0]!, [0.8987597, 1.5603089], 1e-6);
});

test('asam (official): T = |w| + eta on kernels only, e = T²⊙g·rho/‖T⊙g‖', () => {
  // kernel w = [1, −2], bias [0.5]; a = [1, 2, 3] → g = [1, −4, 1.5]
  // T = [1.01, 2.01 | 1]; h = [1.01, −8.04, 1.5]; n = √67.9117 = 8.2408556
  // e = [1.0201, −16.1604, 1.5]·0.5/n = [0.0618928, −0.9805050, 0.0910100]
  // g' = a ⊙ (w + e) = [1.0618928, −5.9610100, 1.7730299] → x = [0.8938107, −1.4038990, 0.3226970]
  const defs: ParamDef[] = [{ value: [1, -2], role: 'kernel' }, { value: [0.5], role: 'bias' }];
  const t = trajectory({ name: 'asam', rho: 0.5, eta: 0.01, base: SGD }, defs, parabola, 1);
  assertClose(t.params[0]!, [0.8938107, -1.403899, 0.322697], 1e-6);
  // without eta, or with the bias treated as a weight, the numbers differ (float32 resolves it)
  const noEta = trajectory({ name: 'asam', rho: 0.5, eta: 0, base: SGD }, defs, parabola, 1);
  assertClose(noEta.params[0]!, [0.8939029, -1.4048926, 0.322563], 1e-6);
  const allWeights = trajectory({ name: 'asam', rho: 0.5, eta: 0.01, base: SGD }, defs.map((d) => ({ ...d, role: 'kernel' as const })), parabola, 1);
  assertClose(allWeights.params[0]!, [0.8937334, -1.4014503, 0.3428098], 1e-6);
});

test('gsam: one step with alpha 0.5', () => {
  // w = [1, 2], a = [1, 2], rho 0.1: g0 = [1, 4], g1 = [1.0242536, 4.1940285] (as SAM)
  // cos = <g0, g1>/(‖g1‖‖g0‖) = 0.9999851; vert = g0 − cos·‖g0‖·g1/‖g1‖ = [0.0218296, −0.0053312]
  // g = g1 − 0.5·vert = [1.0133388, 4.1966941] → x = [0.8986661, 1.5803306]
  const t = trajectory({ name: 'gsam', rho: 0.1, alpha: 0.5, base: SGD }, [{ value: [1, 2] }], parabola, 1);
  assertClose(t.params[0]!, [0.8986661, 1.5803306], 1e-6);
  assert.equal(t.gradEvals[0], 2);
});

test('gsam: rho follows the base lr proportionally (ProportionScheduler)', () => {
  const params = makeParams([{ value: [1, 2] }]);
  const opt = createOptimizer({ name: 'gsam', rho: 0.1, rho_min: 0.02, base: { name: 'sgd', lr: 0.2 } }, params);
  assert.equal(opt.currentHyperparams().rho, 0.1);
  opt.setLearningRate(0.1); // halfway from lr_min 0 to lr_max 0.2 → rho = 0.02 + 0.5·(0.1 − 0.02) = 0.06
  assertClose([opt.currentHyperparams().rho!], [0.06], 1e-12);
  assert.equal(opt.currentHyperparams().lr, 0.1);
  opt.dispose();
  disposeParams(params);
});

test('gam: official code arithmetic, and the paper h− differs at large gamma', () => {
  // w = [1, −1, 0.5], a = [1, 2, 3]; grad_rho 0.05, grad_norm_rho 0.5, β 0.5, α 0.6, γ 0.5, SGD lr 0.1
  // g0 = [1, −2, 1.5]; g1 = ∇f(w + e0) = [1.0185695, −2.0742781, 1.5835629]
  // g2 = ∇f(w + e1) = [1.0819232, −2.6553855, 2.6059631]; g3 = ∇f(w + e1 + e2) = [1.0958849, −2.7239184, 2.706849]
  // code:  h− = g0 + 0.5·g2;          cos = 0.9997875; g = [1.0199267, −2.3181151, 2.0665357] → x = [0.8980073, −0.7681885, 0.2933464]
  // paper: h− = 0.5·g0 + 0.5·g2;      cos = 0.9999771; g = [1.0545918, −2.3391989, 2.0244312] → x = [0.8945408, −0.7660801, 0.2975569]
  const spec = { name: 'gam', grad_rho: 0.05, grad_norm_rho: 0.5, grad_beta_0: 0.5, grad_beta_1: 0.6, grad_gamma: 0.5, base: SGD };
  const code = trajectory(spec, [{ value: [1, -1, 0.5] }], parabola, 1);
  assertClose(code.params[0]!, [0.8980073, -0.7681885, 0.2933464], 2e-6);
  assertClose([code.diagnostics[0]!.cosine!], [0.9997875], 1e-5);
  assert.equal(code.gradEvals[0], 4);
  const paper = trajectory({ ...spec, paper_h_minus: true }, [{ value: [1, -1, 0.5] }], parabola, 1);
  assertClose(paper.params[0]!, [0.8945408, -0.7660801, 0.2975569], 2e-6);
});

test('orthograd: removes the component along w per tensor and keeps ‖g‖', () => {
  // one tensor w = [3, 4], a = [1, 2]: g = [3, 8]; proj = <w,g>/<w,w> = 41/25 = 1.64; g⊥ = [−1.92, 1.44]
  // rescaled to ‖g‖ = √73: g⊥·√73/2.4 = [−6.835203, 5.1264022] → x = [3.6835203, 3.4873598]
  const t = trajectory({ name: 'orthograd', base: SGD }, [{ value: [3, 4] }], parabola, 1);
  assertClose(t.params[0]!, [3.6835203, 3.4873598], 1e-6);
  // a filter that excludes the tensor leaves plain SGD: x = [3 − 0.3, 4 − 0.8]
  const off = trajectory({ name: 'orthograd', roles: ['bias'], base: SGD }, [{ value: [3, 4] }], parabola, 1);
  assertClose(off.params[0]!, [2.7, 3.2], 1e-6);
  const byName = trajectory({ name: 'orthograd', names: ['other*'], base: SGD }, [{ value: [3, 4] }], parabola, 1);
  assertClose(byName.params[0]!, [2.7, 3.2], 1e-6);
});

/* ------------------------------------------------------------------ identities */

const BASES: Spec[] = [
  { name: 'sgd', lr: 0.05, momentum: 0.9, weight_decay: 5e-4 },
  { name: 'adamw', lr: 0.01 },
];

for (const base of BASES) {
  test(`SAM(rho = 0) equals its base bit for bit (${base.name})`, () => {
    const plain = trajectory(base, SOFTMAX, softmaxRegression, 5);
    const sam = trajectory({ name: 'sam', rho: 0, base }, SOFTMAX, softmaxRegression, 5);
    assert.deepEqual(sam.params, plain.params);
    assert.deepEqual(sam.gradEvals, [2, 2, 2, 2, 2]);
  });

  test(`GSAM(alpha = 0) equals SAM (${base.name})`, () => {
    const sam = trajectory({ name: 'sam', rho: 0.05, base }, SOFTMAX, softmaxRegression, 5);
    const gsam = trajectory({ name: 'gsam', rho: 0.05, alpha: 0, base }, SOFTMAX, softmaxRegression, 5);
    // GSAM restores w by subtraction (official), SAM by copy: equal up to float32 rounding
    assertClose(gsam.params.flat(), sam.params.flat(), 1e-5, 1e-7);
    // … and alpha matters
    const g4 = trajectory({ name: 'gsam', rho: 0.05, alpha: 0.4, base }, SOFTMAX, softmaxRegression, 5);
    assert.throws(() => assertClose(g4.params.flat(), sam.params.flat(), 1e-5, 1e-7));
  });

  test(`GAM(grad_beta_1 = 1, grad_gamma = 0) equals SAM(rho = grad_rho) (${base.name})`, () => {
    const sam = trajectory({ name: 'sam', rho: 0.05, base }, SOFTMAX, softmaxRegression, 5);
    const gam = trajectory({ name: 'gam', grad_rho: 0.05, grad_beta_1: 1, grad_gamma: 0, base }, SOFTMAX, softmaxRegression, 5);
    assertClose(gam.params.flat(), sam.params.flat(), 1e-5, 1e-7);
    assert.deepEqual(gam.gradEvals, [4, 4, 4, 4, 4]);
  });
}

test('a wrapper’s clip_grad_norm clips the gradient it hands to the base', () => {
  // rho 0 makes SAM hand g to the base: w = [3, 4], f = Σ·½a x², g = [3, 8], ‖g‖ = √73; clip 1 → g/‖g‖
  const t = trajectory({ name: 'sam', rho: 0, clip_grad_norm: 1, base: SGD }, [{ value: [3, 4] }], parabola, 1);
  assertClose(t.params[0]!, [3 - (0.1 * 3) / Math.sqrt(73), 4 - (0.1 * 8) / Math.sqrt(73)], 1e-6);
});

test('wrappers nest: SAM around ⊥Grad around AdamW builds, steps and drives the innermost lr', () => {
  const params = makeParams(SOFTMAX);
  const opt = createOptimizer({ name: 'sam', base: { name: 'orthograd', base: { name: 'adamw', lr: 0.01 } } }, params);
  assert.equal(opt.learningRate, 0.01);
  opt.setLearningRate(0.002);
  assert.equal(opt.currentHyperparams().lr, 0.002);
  assert.deepEqual((opt.hyperparameters.base as Spec).base, { name: 'adamw', lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, amsgrad: false, weight_decay: 0.01, decay_scaled_by_lr: true, clip_grad_norm: null, decay_roles: ['kernel', 'bias'], no_decay: [], lr_mult: [], layer_decay: null });
  opt.dispose();
  disposeParams(params);
});
