/**
 * LAMB, LARS, AdamP/SGDP worked by hand: trust ratios per tensor, the role/rank exclusion of biases
 * and normalisation, and the scale-invariant projection along minima's output-channel (last) axis.
 * Problem: f = ½Σ a_i x_i² with a = 1, 2, 3 over a [1, 2] kernel (3, 4) and a bias (1): g = (3, 8 | 3).
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose } from '../support/tf.js';
import { projectScaleInvariant } from '../../src/optim/transforms/project-scale-invariant.js';
import { linear, parabola, type ParamDef } from './helpers.js';
import { trajectory } from './helpers-run.js';

const KERNEL_BIAS: ParamDef[] = [{ value: [3, 4], shape: [1, 2], role: 'kernel' }, { value: [1], role: 'bias' }];

test('lamb: trust ratio ‖p‖/‖r‖ per kernel, the bias excluded (plain Adam-type step, no decay)', () => {
  // step 1, no bias correction: r = 0.1·g/(sqrt(0.001)·|g| + 1e-6) ≈ 3.1623·sign(g); ‖p‖ = 5, ‖r‖ ≈ 4.4721
  // kernel: x − 0.1·(5/‖r‖)·r = (2.6464478, 3.6464454); bias: 1 − 0.1·r = 0.6837756
  const t = trajectory({ name: 'lamb', lr: 0.1 }, KERNEL_BIAS, parabola, 1);
  assertClose(t.params[0]!, [2.6464478, 3.6464454, 0.6837756], 2e-6);
  // wd 0.1 and clamp 2: r + 0.1·p, φ = min(5, 2) = 2 → (2.8606064, 3.8565795); the bias is not decayed
  const c = trajectory({ name: 'lamb', lr: 0.1, weight_decay: 0.1, clamp_value: 2 }, KERNEL_BIAS, parabola, 1);
  assertClose(c.params[0]!, [2.8606064, 3.8565795, 0.6837756], 2e-6);
  // bias correction (paper Alg. 2 / timm): r = g/(|g| + 1e-6) at step 1 → (2.6464466, 3.6464466)
  const bc = trajectory({ name: 'lamb', lr: 0.1, bias_correction: true, clamp_value: null }, KERNEL_BIAS, parabola, 1);
  assertClose(bc.params[0]!.slice(0, 2), [2.6464466, 3.6464466], 2e-6);
  // without the exclusion the bias takes a trust ratio too: ‖p‖/‖r‖ = 1/3.1623 → 1 − 0.1 = 0.9
  const all = trajectory({ name: 'lamb', lr: 0.1, exclude_bias_and_norm: false }, KERNEL_BIAS, parabola, 1);
  assertClose([all.params[0]![2]!], [0.9], 2e-6);
});

test('lars: τ = trust_coeff·‖p‖/(‖g‖ + wd‖p‖ + eps) on the kernel; the bias neither adapted nor decayed', () => {
  // lr 1, wd 0.01: τ = 0.001·5/(8.5440037 + 0.05) = 5.818010e-4; x − (g + 0.01·x)·τ = (2.9982371, 3.9953223); bias 1 − 3 = −2
  const t = trajectory({ name: 'lars', lr: 1, weight_decay: 0.01 }, KERNEL_BIAS, parabola, 1);
  assertClose(t.params[0]!, [2.9982371, 3.9953223, -2], 2e-6);
  // weight_decay 0 and no always_adapt: plain SGD everywhere (timm)
  const plain = trajectory({ name: 'lars', lr: 0.1 }, KERNEL_BIAS, parabola, 1);
  assertClose(plain.params[0]!, [2.7, 3.2, 0.7], 2e-6);
});

test('scale-invariant projection: per output channel (the last axis of minima kernels)', () => {
  // p = [[1, 1], [0, 0]] ([in, out]): both output channels are (1, 0); g's channels are (0, 1): cos 0 < δ/sqrt(2)
  // perturb [[1, 2], [3, 4]]: channels (1, 3), (2, 4) lose their component along (1, 0) → [[0, 0], [3, 4]]
  // (projecting rows, torch's dim 0 of this layout, would give [[−0.5, 0.5], [3, 4]])
  const r = tf.tidy(() => {
    const { out, projected } = projectScaleInvariant(tf.tensor2d([[1, 1], [0, 0]]), tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[1, 2], [3, 4]]), 0.1, 1e-8);
    return [Array.from(out.dataSync()), projected.dataSync()[0]!];
  });
  assertClose(r[0] as number[], [0, 0, 3, 4], 1e-6, 1e-6);
  assert.equal(r[1], 1);
  // a gradient along the weight: no view projects
  const n = tf.tidy(() => {
    const { out, projected } = projectScaleInvariant(tf.tensor2d([[1, 1], [0, 0]]), tf.tensor2d([[2, 2], [0, 0]]), tf.tensor2d([[1, 2], [3, 4]]), 0.1, 1e-8);
    return [Array.from(out.dataSync()), projected.dataSync()[0]!];
  });
  assertClose(n[0] as number[], [1, 2, 3, 4], 1e-6);
  assert.equal(n[1], 0);
});

test('adamp: a projected tensor decays by wd·wd_ratio; sgdp divides the decay by 1 − momentum', () => {
  // constant g = [[0, 0], [1, 1]] on p = [[1, 1], [0, 0]]: step 1 perturb = 0.1·sign(g), lr/(1 − β1) = 1,
  // projected (decay ratio 0.1): p·(1 − 0.1·1·0.1) − perturb = [[0.99, 0.99], [−0.1, −0.1]]
  const P: ParamDef[] = [{ value: [1, 1, 0, 0], shape: [2, 2], role: 'kernel' }];
  const g = linear([0, 0, 1, 1]);
  const a = trajectory({ name: 'adamp', lr: 0.1, weight_decay: 1 }, P, g, 1);
  assertClose(a.params[0]!, [0.99, 0.99, -0.1, -0.1], 2e-6, 1e-6);
  // SGDP lr 0.1, momentum 0.5, wd 1: buf = g; projected → p·(1 − 0.1·0.1/0.5) − 0.1·g = [[0.98, 0.98], [−0.1, −0.1]]
  const s = trajectory({ name: 'sgdp', lr: 0.1, momentum: 0.5, weight_decay: 1 }, P, g, 1);
  assertClose(s.params[0]!, [0.98, 0.98, -0.1, -0.1], 2e-6, 1e-6);
});
