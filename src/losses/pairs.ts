/**
 * Building blocks of the pair-based metric-learning losses (triplet, contrastive, supcon, tcm,
 * ge2e, unpg): same-class masks of a batch, cosine and Euclidean distance matrices written the way
 * their reference code writes them, and masked log-sum-exps that stay finite.
 */
import * as tf from '../backends/tf.js';

/** Stands in for ±∞ in masked reductions (finite, so 0·BIG stays 0). */
export const BIG = 1e30;

/** Float {0, 1} [b, b]: 1 where y_i = y_j (the diagonal included). */
export function sameClass(y: tf.Tensor): tf.Tensor2D {
  const b = y.shape[0]!;
  const v = tf.reshape(y, [b]);
  return tf.cast(tf.equal(tf.expandDims(v, 1), tf.expandDims(v, 0)), 'float32') as tf.Tensor2D;
}

/** Float identity [b, b]. */
export function eye(b: number): tf.Tensor2D {
  return tf.eye(b) as tf.Tensor2D;
}

/** v where keep is 1, `fill` elsewhere (keep a float {0, 1} mask). */
export function masked(keep: tf.Tensor, v: tf.Tensor, fill: number): tf.Tensor {
  return tf.add(tf.mul(v, keep), tf.mul(tf.sub(1, keep), fill));
}

/** log(1 + Σ_{keep} e^z) per row: a log-sum-exp with a 0 term, the dropped entries at −BIG. */
export function log1pSumExp(keep: tf.Tensor, z: tf.Tensor, axis = 1): tf.Tensor {
  const shape = [...z.shape];
  shape[axis] = 1;
  return tf.logSumExp(tf.concat([tf.zeros(shape), masked(keep, z, -BIG)], axis), axis);
}

/**
 * Pairwise Euclidean distances as tensorflow_addons `metric_learning.pairwise_distance` computes
 * them: ‖a‖² + ‖b‖² − 2a·b clipped at 0; for the non-squared form, sqrt(d² + 1e-16) where d² ≤ 0
 * and those entries (and the diagonal) then set to 0 — so the gradient is finite at coincident rows.
 */
export function pairwiseDistance(x: tf.Tensor2D, squared: boolean): tf.Tensor2D {
  const b = x.shape[0];
  const sq = tf.sum(tf.square(x), 1);
  const d2 = tf.maximum(tf.sub(tf.add(tf.expandDims(sq, 1), tf.expandDims(sq, 0)), tf.mul(tf.matMul(x, x, false, true), 2)), 0);
  const error = tf.sub(1, tf.step(d2)); // 1 where d² ≤ 0
  const d = squared ? d2 : tf.sqrt(tf.add(d2, tf.mul(error, 1e-16)));
  const offDiagonal = tf.sub(1, eye(b));
  return tf.mul(tf.mul(d, tf.sub(1, error)), offDiagonal) as tf.Tensor2D;
}

/** The batch's labels in JS (pair mining decides on values, never on gradients). */
export function labelsOf(y: tf.Tensor): Int32Array {
  return Int32Array.from(y.dataSync() as ArrayLike<number>);
}
