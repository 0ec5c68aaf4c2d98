import * as tf from '../../backends/tf.js';
import { zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export interface RadamState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[]; readonly nu: tf.Tensor[]; readonly count: tf.Scalar }

/**
 * torch RAdam's direction (`_single_tensor_radam`, Liu et al. 2020):
 *   m = lerp(m, g, 1 − β1);  v = β2·v + (1 − β2)·g²;  ρ∞ = 2/(1 − β2) − 1;  ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t)
 *   ρ_t > 5:  out = m/(1 − β1^t) · sqrt(1 − β2^t)/(sqrt(v) + eps) · r_t,  r_t = sqrt((ρ_t − 4)(ρ_t − 2)ρ∞/((ρ∞ − 4)(ρ∞ − 2)ρ_t))
 *   else:     out = m/(1 − β1^t)   (SGD with momentum)
 * ρ_t is computed in double from the step read back once per step, as torch does in Python: it
 * decides the branch, and in float32 ρ∞ − 2tβ2^t/(1 − β2^t) cancels to a few digits.
 */
export function scaleByRadam(betas: readonly [number, number], eps: number): GradientTransformation<RadamState> {
  const [b1, b2] = betas;
  const rhoInf = 2 / (1 - b2) - 1;
  return {
    name: 'radam',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)), nu: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, state) {
      const t = state.count.dataSync()[0]! + 1;
      const mu = zip(state.mu, grads, (m, g) => tf.add(m, tf.mul(tf.sub(g, m), 1 - b1)));
      const nu = zip(state.nu, grads, (v, g) => tf.add(tf.mul(v, b2), tf.mul(tf.mul(g, g), 1 - b2)));
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      const rhoT = rhoInf - (2 * t * b2 ** t) / bc2;
      const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
      const out = zip(mu, nu, (m, v) => {
        const corrected = tf.div(m, bc1);
        return rhoT > 5 ? tf.mul(tf.mul(corrected, tf.div(Math.sqrt(bc2), tf.add(tf.sqrt(v), eps))), rect) : corrected;
      });
      return [out, { mu, nu, count: tf.scalar(t) }];
    },
  };
}
