import * as tf from '../../backends/tf.js';
import { oneMinusPow, zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';
import { projectScaleInvariant } from './project-scale-invariant.js';

export interface AdampOptions {
  readonly betas: readonly [number, number]; readonly eps: number; readonly weight_decay: number;
  readonly delta: number; readonly wd_ratio: number; readonly nesterov: boolean;
}
export interface AdampState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[]; readonly nu: tf.Tensor[]; readonly count: tf.Scalar }

/**
 * AdamP's step before the learning rate (clovaai/AdamP `adamp/adamp.py`):
 *   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  D = sqrt(v)/sqrt(1 − β2^t) + eps
 *   perturb = m/D (nesterov: (β1·m + (1 − β1)·g)/D), projected for tensors of rank > 1
 *   out = perturb/(1 − β1^t) + wd·r·p,  r = wd_ratio where projected, else 1
 * so that −lr·out is the official p·(1 − lr·wd·r) then p − lr/(1 − β1^t)·perturb.
 */
export function scaleByAdamp(o: AdampOptions): GradientTransformation<AdampState> {
  const [b1, b2] = o.betas;
  return {
    name: 'adamp',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)), nu: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, state, params) {
      const count = tf.add(state.count, 1) as tf.Scalar;
      const mu = zip(state.mu, grads, (m, g) => tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
      const nu = zip(state.nu, grads, (v, g) => tf.add(tf.mul(v, b2), tf.mul(tf.mul(g, g), 1 - b2)));
      const sqrtBc2 = tf.sqrt(oneMinusPow(b2, count));
      const bc1 = oneMinusPow(b1, count);
      const out = params.map((p, i) => {
        const g = grads[i]!;
        const denom = tf.add(tf.div(tf.sqrt(nu[i]!), sqrtBc2), o.eps);
        const num = o.nesterov ? tf.add(tf.mul(mu[i]!, b1), tf.mul(g, 1 - b1)) : mu[i]!;
        let perturb = tf.div(num, denom);
        let ratio: tf.Scalar | number = 1;
        if (p.rank > 1) {
          const r = projectScaleInvariant(p, g, perturb, o.delta, o.eps);
          perturb = r.out;
          ratio = tf.add(tf.mul(r.projected, o.wd_ratio - 1), 1) as tf.Scalar;
        }
        const step = tf.div(perturb, bc1);
        return o.weight_decay > 0 ? tf.add(step, tf.mul(p, tf.mul(ratio, o.weight_decay))) : step;
      });
      return [out, { mu, nu, count }];
    },
  };
}
