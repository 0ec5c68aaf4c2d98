import * as tf from '../../backends/tf.js';
import { hyperValue, type GradientTransformation, type HyperValue, type StateTree } from '../transform.js';
import { oneMinusPow, zip } from '../../backends/tree.js';

export interface AdamState {
  readonly [k: string]: StateTree;
  readonly mu: tf.Tensor[];
  readonly nu: tf.Tensor[];
  /** AMSGrad's running maximum of v (torch `max_exp_avg_sq`), only with amsgrad. */
  readonly nu_max?: tf.Tensor[];
  readonly count: tf.Scalar;
}

/**
 * torch Adam/AdamW moments and direction (`_single_tensor_adamw`):
 *   m = lerp(m, g, 1 − β1);  v = β2·v + (1 − β2)·g²
 *   out = (m·(1/(1 − β1^t))) / (sqrt(v)/sqrt(1 − β2^t) + eps)     (eps AFTER the bias-corrected sqrt)
 * Multiplying by −lr gives torch's `p.addcdiv_(m, denom, value=−lr/bc1)`: the same denominator op
 * for op, the bias correction of m as a product (one division per element fewer than m/denom/bc1,
 * which the fused kernel's speed is bound by).
 * AMSGrad (torch `amsgrad=True`): v̂max = max(v̂max, v) replaces v in the denominator.
 * `beta1` (a Hyper when scheduled: one-cycle's momentum cycling) replaces betas[0]; like torch, the
 * step's β1 enters both the average and the bias correction 1 − β1^t.
 */
export function scaleByAdam(betas: readonly [number, number], eps: number, amsgrad = false, beta1: HyperValue = betas[0]): GradientTransformation<AdamState> {
  const b2 = betas[1];
  return {
    name: 'adam',
    init: (params) => ({
      mu: params.map((p) => tf.zerosLike(p)),
      nu: params.map((p) => tf.zerosLike(p)),
      ...(amsgrad ? { nu_max: params.map((p) => tf.zerosLike(p)) } : {}),
      count: tf.scalar(0),
    }),
    update(grads, state) {
      const b1 = hyperValue(beta1);
      const count = tf.add(state.count, 1) as tf.Scalar;
      // torch's lerp for weight < 0.5: m + w·(g − m)
      const mu = zip(state.mu, grads, (m, g) => tf.add(m, tf.mul(tf.sub(g, m), 1 - b1)));
      const nu = zip(state.nu, grads, (v, g) => tf.add(tf.mul(v, b2), tf.mul(tf.mul(g, g), 1 - b2)));
      const bc1 = oneMinusPow(b1, count);
      const sqrtBc2 = tf.sqrt(oneMinusPow(b2, count));
      const inv1 = tf.div(1, bc1);
      const nuMax = amsgrad ? zip(state.nu_max!, nu, (a, v) => tf.maximum(a, v)) : undefined;
      const out = zip(mu, nuMax ?? nu, (m, v) => tf.div(tf.mul(m, inv1), tf.add(tf.div(tf.sqrt(v), sqrtBc2), eps)));
      return [out, nuMax ? { mu, nu, nu_max: nuMax, count } : { mu, nu, count }];
    },
  };
}
