/**
 * Class-count facts shared by the long-tail losses (vs, ldam, logit-adjusted, balanced-softmax,
 * class-balanced): the train split's n_k (DataSpec.classCounts, computed by the dataset transforms
 * after long-tail subsampling and label noise), the log prior log π_k, the effective-number class
 * weights of Cui et al. 2019, and torch's class-weighted mean written per example.
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { LossDeps } from '../core/types.js';
import { numClassesOf, oneHot, rowDot } from './common.js';

/** n_k of the train split, every one ≥ 1 (a class without train examples has no prior). */
export function classCountsOf(deps: LossDeps, name: string): number[] {
  const k = numClassesOf(deps, name);
  const counts = deps.data.classCounts;
  if (!counts || counts.length !== k) {
    throw new RunnerError('CONFIG_INVALID', `loss "${name}" needs the train split's class counts (DataSpec.classCounts with ${k} entries)`);
  }
  const empty = counts.findIndex((c) => !(c >= 1));
  if (empty >= 0) throw new RunnerError('CONFIG_INVALID', `loss "${name}": class ${empty} has no train examples, so its prior is 0`);
  return [...counts];
}

/** log π_k = log(n_k/Σn), in float64 before the float32 tensor. */
export function logPrior(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => Math.log(c / total));
}

/**
 * Effective-number weights (1 − β)/(1 − β^{n_k}), normalised to sum K (Cui et al. 2019;
 * kaidic/LDAM-DRW cifar_train.py DRW). β = 0 gives all ones.
 */
export function effectiveNumberWeights(counts: readonly number[], beta: number): number[] {
  if (beta === 0) return counts.map(() => 1);
  const raw = counts.map((n) => (1 - beta) / -Math.expm1(n * Math.log(beta)));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => (w / sum) * counts.length);
}

/**
 * torch's F.cross_entropy(weight=w) reduction Σ_i w_{y_i}ℓ_i / Σ_i w_{y_i}, written per example as
 * ℓ_i·w_{y_i}·B/Σ_j w_{y_j}, so the trainer's mean of the values is torch's weighted mean (the
 * weights are constants: the gradient is torch's too).
 */
export function classWeightedValues(values: tf.Tensor1D, y: tf.Tensor, weights: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const w = rowDot(oneHot(y, weights.length), tf.tensor1d([...weights]));
    const scale = tf.div(values.shape[0] ?? 0, tf.sum(w));
    return tf.mul(tf.mul(values, w), scale) as tf.Tensor1D;
  });
}
