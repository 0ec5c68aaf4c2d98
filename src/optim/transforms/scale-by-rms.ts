import * as tf from '../../backends/tf.js';
import { zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export type RmsState = { readonly [k: string]: StateTree; readonly nu: tf.Tensor[] } & { readonly mu?: tf.Tensor[] };

/**
 * torch RMSprop's direction (`_single_tensor_rmsprop`):
 *   v = α·v + (1 − α)·g²;  centered: m = lerp(m, g, 1 − α), avg = sqrt(v − m²) + eps;  else avg = sqrt(v) + eps
 *   out = g/avg   (eps outside the root, as torch; optax's scale_by_rms puts it inside)
 */
export function scaleByRms(alpha: number, eps: number, centered: boolean): GradientTransformation<RmsState> {
  return {
    name: 'rms',
    init: (params) => ({
      nu: params.map((p) => tf.zerosLike(p)),
      ...(centered ? { mu: params.map((p) => tf.zerosLike(p)) } : {}),
    }),
    update(grads, state) {
      const nu = zip(state.nu, grads, (v, g) => tf.add(tf.mul(v, alpha), tf.mul(tf.mul(g, g), 1 - alpha)));
      if (!centered) return [zip(grads, nu, (g, v) => tf.div(g, tf.add(tf.sqrt(v), eps))), { nu }];
      // torch's lerp for weight < 0.5: m + w·(g − m)
      const mu = zip(state.mu!, grads, (m, g) => tf.add(m, tf.mul(tf.sub(g, m), 1 - alpha)));
      const out = grads.map((g, i) => tf.div(g, tf.add(tf.sqrt(tf.sub(nu[i]!, tf.mul(mu[i]!, mu[i]!))), eps)));
      return [out, { nu, mu }];
    },
  };
}
