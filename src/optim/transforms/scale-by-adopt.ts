import * as tf from '../../backends/tf.js';
import { zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export interface AdoptOptions {
  readonly betas: readonly [number, number]; readonly eps: number; readonly clip_exponent: number | null;
  /** Decoupled decay, added here because the official code skips it on the first step too. */
  readonly decoupled_weight_decay: number;
}
export interface AdoptState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[]; readonly nu: tf.Tensor[]; readonly count: tf.Scalar }

/**
 * ADOPT's step before the learning rate (iShohei220/adopt `src/adopt/adopt.py` `_single_tensor_adopt`):
 *   first step (t = 0): v = g², no update
 *   later (t ≥ 1): n = g/max(sqrt(v), eps), clipped to ±t^clip_exponent;  m = lerp(m, n, 1 − β1)
 *                  out = m (+ wd·p, decoupled);  then v = β2·v + (1 − β2)·g²   (v of the PREVIOUS steps normalises g)
 * The first-step branch is a select on the device (the counter is never read back).
 */
export function scaleByAdopt(o: AdoptOptions): GradientTransformation<AdoptState> {
  const [b1, b2] = o.betas;
  return {
    name: 'adopt',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)), nu: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, state, params) {
      const first = tf.equal(state.count, 0);
      const clip = o.clip_exponent === null ? null : tf.pow(state.count, o.clip_exponent);
      const out: tf.Tensor[] = [];
      const mu: tf.Tensor[] = [];
      const nu = zip(state.nu, grads, (v, g) => {
        const g2 = tf.mul(g, g);
        return tf.where(first, g2, tf.add(tf.mul(v, b2), tf.mul(g2, 1 - b2)));
      });
      grads.forEach((g, i) => {
        let n = tf.div(g, tf.maximum(tf.sqrt(state.nu[i]!), o.eps));
        if (clip) n = tf.minimum(tf.maximum(n, tf.neg(clip)), clip);
        const m = tf.where(first, state.mu[i]!, tf.add(state.mu[i]!, tf.mul(tf.sub(n, state.mu[i]!), 1 - b1)));
        mu.push(m);
        const step = o.decoupled_weight_decay === 0 ? m : tf.add(m, tf.mul(params[i]!, o.decoupled_weight_decay));
        out.push(tf.where(first, tf.zerosLike(step), step));
      });
      return [out, { mu, nu, count: tf.add(state.count, 1) as tf.Scalar }];
    },
  };
}
