import * as tf from '../../backends/tf.js';
import { l2, oneMinusPow, zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';
import { excludedFromAdaptation } from './layer-adaptation.js';

export interface LambOptions {
  readonly betas: readonly [number, number]; readonly eps: number; readonly weight_decay: number;
  readonly bias_correction: boolean; readonly clamp_value: number | null; readonly exclude_bias_and_norm: boolean;
}
export interface LambState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[]; readonly nu: tf.Tensor[]; readonly count: tf.Scalar }

/**
 * LAMB's layer-wise step before the learning rate (cybertronai/pytorch-lamb `pytorch_lamb/lamb.py`):
 *   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  r = m/(sqrt(v) + eps) + wd·p
 *   (bias_correction: r = (m/(1 − β1^t))/(sqrt(v)/sqrt(1 − β2^t) + eps) + wd·p, the paper's Alg. 2 / timm)
 *   φ = min(‖p‖, clamp_value);  out = r·φ/‖r‖, or r when φ or ‖r‖ is 0
 * Excluded tensors (layer-adaptation.ts) take the plain Adam-type step r without decay (trust ratio 1).
 */
export function scaleByLamb(o: LambOptions): GradientTransformation<LambState> {
  const [b1, b2] = o.betas;
  return {
    name: 'lamb',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)), nu: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, state, params, ctx) {
      const count = tf.add(state.count, 1) as tf.Scalar;
      const mu = zip(state.mu, grads, (m, g) => tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
      const nu = zip(state.nu, grads, (v, g) => tf.add(tf.mul(v, b2), tf.mul(tf.mul(g, g), 1 - b2)));
      const bc1 = o.bias_correction ? oneMinusPow(b1, count) : null;
      const sqrtBc2 = o.bias_correction ? tf.sqrt(oneMinusPow(b2, count)) : null;
      const out = params.map((p, i) => {
        let r = bc1 && sqrtBc2
          ? tf.div(tf.div(mu[i]!, bc1), tf.add(tf.div(tf.sqrt(nu[i]!), sqrtBc2), o.eps))
          : tf.div(mu[i]!, tf.add(tf.sqrt(nu[i]!), o.eps));
        if (o.exclude_bias_and_norm && excludedFromAdaptation(ctx.params[i], p.rank)) return r;
        if (o.weight_decay !== 0) r = tf.add(r, tf.mul(p, o.weight_decay));
        const wn = o.clamp_value === null ? l2(p) : tf.minimum(l2(p), o.clamp_value);
        const rn = l2(r);
        const ok = tf.logicalAnd(tf.greater(wn, 0), tf.greater(rn, 0));
        const trust = tf.where(ok, tf.div(wn, rn), tf.onesLike(wn));
        return tf.mul(r, trust);
      });
      return [out, { mu, nu, count }];
    },
  };
}
