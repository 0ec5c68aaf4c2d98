import * as tf from '../../backends/tf.js';
import { oneMinusPow, zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export interface NadamState {
  readonly [k: string]: StateTree;
  readonly mu: tf.Tensor[];
  readonly nu: tf.Tensor[];
  /** Π μ_i, a float32 scalar as torch keeps it (`state["mu_product"]`). */
  readonly mu_product: tf.Scalar;
  readonly count: tf.Scalar;
}

/**
 * torch NAdam's direction (`_single_tensor_nadam`, Dozat 2016 with the momentum schedule):
 *   μ_t = β1·(1 − ½·0.96^(t·ψ)),  μ_{t+1} likewise,  Π ← Π·μ_t
 *   m = lerp(m, g, 1 − β1);  v = β2·v + (1 − β2)·g²;  D = sqrt(v/(1 − β2^t)) + eps
 *   out = (1 − μ_t)/(1 − Π)·g/D + μ_{t+1}/(1 − Π·μ_{t+1})·m/D
 * The per-step scalars stay on the device in float32 (torch computes μ in double and Π in float32).
 */
export function scaleByNadam(betas: readonly [number, number], eps: number, momentumDecay: number): GradientTransformation<NadamState> {
  const [b1, b2] = betas;
  const lnDecay = momentumDecay * Math.log(0.96);
  const muAt = (t: tf.Tensor): tf.Scalar => tf.mul(tf.sub(1, tf.mul(tf.exp(tf.mul(t, lnDecay)), 0.5)), b1) as tf.Scalar;
  return {
    name: 'nadam',
    init: (params) => ({
      mu: params.map((p) => tf.zerosLike(p)),
      nu: params.map((p) => tf.zerosLike(p)),
      mu_product: tf.scalar(1),
      count: tf.scalar(0),
    }),
    update(grads, state) {
      const count = tf.add(state.count, 1) as tf.Scalar;
      const muT = muAt(count);
      const muNext = muAt(tf.add(count, 1));
      const muProduct = tf.mul(state.mu_product, muT) as tf.Scalar;
      const cGrad = tf.div(tf.sub(1, muT), tf.sub(1, muProduct));
      const cMom = tf.div(muNext, tf.sub(1, tf.mul(muProduct, muNext)));
      const bc2 = oneMinusPow(b2, count);
      const mu = zip(state.mu, grads, (m, g) => tf.add(m, tf.mul(tf.sub(g, m), 1 - b1)));
      const nu = zip(state.nu, grads, (v, g) => tf.add(tf.mul(v, b2), tf.mul(tf.mul(g, g), 1 - b2)));
      const out = grads.map((g, i) => {
        const denom = tf.add(tf.sqrt(tf.div(nu[i]!, bc2)), eps);
        return tf.add(tf.mul(tf.div(g, denom), cGrad), tf.mul(tf.div(mu[i]!, denom), cMom));
      });
      return [out, { mu, nu, mu_product: muProduct, count }];
    },
  };
}
