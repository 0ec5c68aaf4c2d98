import * as tf from '../../backends/tf.js';
import { zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export interface AdabeliefOptions {
  readonly betas: readonly [number, number]; readonly eps: number; readonly rectify: boolean; readonly degenerated_to_sgd: boolean;
}
export interface AdabeliefState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[]; readonly nu: tf.Tensor[]; readonly count: tf.Scalar }

/**
 * AdaBelief's direction (juntang-zhuang/Adabelief-Optimizer, adabelief_pytorch 0.2.1 `AdaBelief.py`):
 *   m = β1·m + (1 − β1)·g;  s = β2·s + (1 − β2)·(g − m)² + eps   (the official `exp_avg_var.add_(eps)` is in place: s keeps it)
 *   rectify, N_t ≥ 5: out = r_t·m/(sqrt(s) + eps),  r_t = sqrt((1 − β2^t)(N−4)/(N∞−4)·(N−2)/N·N∞/(N∞−2))/(1 − β1^t)
 *   rectify, N_t < 5: out = m/(1 − β1^t) (degenerated_to_sgd; else no step)
 *   no rectify:       out = m/(1 − β1^t) / (sqrt(s)/sqrt(1 − β2^t) + eps)
 * N_t (RAdam's ρ_t) in double from the step read back once per step, as radam.
 */
export function scaleByAdabelief(o: AdabeliefOptions): GradientTransformation<AdabeliefState> {
  const [b1, b2] = o.betas;
  const nInf = 2 / (1 - b2) - 1;
  return {
    name: 'adabelief',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)), nu: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, state) {
      const t = state.count.dataSync()[0]! + 1;
      const mu = zip(state.mu, grads, (m, g) => tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
      const nu = grads.map((g, i) => {
        const r = tf.sub(g, mu[i]!);
        return tf.add(tf.add(tf.mul(state.nu[i]!, b2), tf.mul(tf.mul(r, r), 1 - b2)), o.eps);
      });
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      let out: tf.Tensor[];
      if (!o.rectify) {
        out = zip(mu, nu, (m, s) => tf.div(tf.div(m, bc1), tf.add(tf.div(tf.sqrt(s), Math.sqrt(bc2)), o.eps)));
      } else {
        const n = nInf - (2 * t * b2 ** t) / bc2;
        if (n >= 5) {
          const r = Math.sqrt((bc2 * (n - 4) / (nInf - 4) * (n - 2) / n * nInf) / (nInf - 2)) / bc1;
          out = zip(mu, nu, (m, s) => tf.mul(tf.div(m, tf.add(tf.sqrt(s), o.eps)), r));
        } else {
          out = mu.map((m) => (o.degenerated_to_sgd ? tf.div(m, bc1) : tf.zerosLike(m)));
        }
      }
      return [out, { mu, nu, count: tf.scalar(t) }];
    },
  };
}
