import * as tf from '../../backends/tf.js';
import { oneMinusPow, sign, zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export interface GramsState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[]; readonly nu: tf.Tensor[]; readonly count: tf.Scalar }

/**
 * Grams' direction (Gunale0926/Grams `grams.py`): m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;
 * out = sign(g) ⊙ |m| / (sqrt(v) + eps), times sqrt(1 − β2^t)/(1 − β1^t) when correcting the bias.
 */
export function scaleByGrams(betas: readonly [number, number], eps: number, correctBias: boolean): GradientTransformation<GramsState> {
  const [b1, b2] = betas;
  return {
    name: 'grams',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)), nu: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, state) {
      const count = tf.add(state.count, 1) as tf.Scalar;
      const mu = zip(state.mu, grads, (m, g) => tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
      const nu = zip(state.nu, grads, (v, g) => tf.add(tf.mul(v, b2), tf.mul(tf.mul(g, g), 1 - b2)));
      const factor = correctBias ? gramsStepFactor(betas, count) : null;
      const out = grads.map((g, i) => {
        const dir = tf.div(tf.mul(sign(g), tf.abs(mu[i]!)), tf.add(tf.sqrt(nu[i]!), eps));
        return factor ? tf.mul(dir, factor) : dir;
      });
      return [out, { mu, nu, count }];
    },
  };
}

/** sqrt(1 − β2^t)/(1 − β1^t): the bias-corrected step factor at (the new) count t. */
export function gramsStepFactor([b1, b2]: readonly [number, number], count: tf.Scalar): tf.Scalar {
  return tf.div(tf.sqrt(oneMinusPow(b2, count)), oneMinusPow(b1, count)) as tf.Scalar;
}
