import * as tf from '../../backends/tf.js';
import { oneMinusPow, zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export interface AdamaxState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[]; readonly nu: tf.Tensor[]; readonly count: tf.Scalar }

/**
 * torch Adamax's direction (`_single_tensor_adamax`):
 *   m = lerp(m, g, 1 − β1);  u = max(β2·u, |g| + eps);  out = (m/u)/(1 − β1^t)
 * (eps inside the max, as torch; the paper has none).
 */
export function scaleByAdamax(betas: readonly [number, number], eps: number): GradientTransformation<AdamaxState> {
  const [b1, b2] = betas;
  return {
    name: 'adamax',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)), nu: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, state) {
      const count = tf.add(state.count, 1) as tf.Scalar;
      const mu = zip(state.mu, grads, (m, g) => tf.add(m, tf.mul(tf.sub(g, m), 1 - b1)));
      const nu = zip(state.nu, grads, (u, g) => tf.maximum(tf.mul(u, b2), tf.add(tf.abs(g), eps)));
      const inv1 = tf.div(1, oneMinusPow(b1, count));
      return [zip(mu, nu, (m, u) => tf.mul(tf.div(m, u), inv1)), { mu, nu, count }];
    },
  };
}
