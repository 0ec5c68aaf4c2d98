import * as tf from '../../backends/tf.js';
import { sumSquares, zip } from '../../backends/tree.js';
import type { GradientTransformation, Hyper, StateTree } from '../transform.js';

export interface AdanOptions {
  readonly betas: readonly [number, number, number];
  readonly eps: number;
  readonly weight_decay: number;
  readonly max_grad_norm: number;
  readonly no_prox: boolean;
}
export interface AdanState {
  readonly [k: string]: StateTree;
  readonly m: tf.Tensor[];
  readonly diff: tf.Tensor[];
  readonly n: tf.Tensor[];
  /** The previous (clipped) gradient; the official `neg_pre_grad` holds its negative. */
  readonly prev: tf.Tensor[];
  readonly count: tf.Scalar;
}

/**
 * Adan's whole step, learning rate and decay included (sail-sg/Adan `adan.py` `_single_tensor_adan`):
 *   g ← g·min(max_grad_norm/(‖g‖ + eps), 1) when max_grad_norm > 0 (its own global clip)
 *   d = g − g_prev (0 on the first step: neg_pre_grad starts at −g);  m = β1·m + (1 − β1)·g
 *   diff = β2·diff + (1 − β2)·d;  n = β3·n + (1 − β3)·(g + β2·d)²
 *   D = sqrt(n)/sqrt(1 − β3^t) + eps;  p' = p − lr/(1 − β1^t)·m/D − lr·β2/(1 − β2^t)·diff/D
 *   decay: p'/(1 + lr·wd) after (default, proximal), or p·(1 − lr·wd) before (no_prox)
 * The betas are the code's (weights of the old averages: 0.98, 0.92, 0.99); the paper writes
 * 1 − β. The step count is read back once per step (bias corrections in double, as the code).
 * A tensor's group facts (param-groups.ts) scale its lr and mask its decay, as a torch group would.
 */
export function scaleByAdan(lr: Hyper, o: AdanOptions): GradientTransformation<AdanState> {
  const [b1, b2, b3] = o.betas;
  return {
    name: 'adan',
    init: (params) => ({
      m: params.map((p) => tf.zerosLike(p)),
      diff: params.map((p) => tf.zerosLike(p)),
      n: params.map((p) => tf.zerosLike(p)),
      prev: params.map((p) => tf.zerosLike(p)),
      count: tf.scalar(0),
    }),
    update(raw, state, params, ctx) {
      const t = state.count.dataSync()[0]! + 1;
      let grads = raw;
      if (o.max_grad_norm > 0) {
        const factor = tf.minimum(tf.div(o.max_grad_norm, tf.add(tf.sqrt(sumSquares(raw)), o.eps)), 1);
        grads = raw.map((g) => tf.mul(g, factor));
      }
      const d = t === 1 ? grads.map((g) => tf.zerosLike(g)) : zip(grads, state.prev, (g, p) => tf.sub(g, p));
      const m = zip(state.m, grads, (mi, g) => tf.add(tf.mul(mi, b1), tf.mul(g, 1 - b1)));
      const diff = zip(state.diff, d, (di, dd) => tf.add(tf.mul(di, b2), tf.mul(dd, 1 - b2)));
      const n = state.n.map((ni, i) => {
        const u = tf.add(grads[i]!, tf.mul(d[i]!, b2));
        return tf.add(tf.mul(ni, b3), tf.mul(tf.mul(u, u), 1 - b3));
      });
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      const bc3 = Math.sqrt(1 - b3 ** t);
      const updates = params.map((p, i) => {
        const lri = lr.value * (ctx.params[i]?.lrScale ?? 1);
        const wd = ctx.params[i]?.decay === false ? 0 : o.weight_decay;
        const denom = tf.add(tf.div(tf.sqrt(n[i]!), bc3), o.eps);
        const step = tf.add(tf.mul(tf.div(m[i]!, denom), lri / bc1), tf.mul(tf.div(diff[i]!, denom), (lri * b2) / bc2));
        if (wd === 0) return tf.neg(step);
        // p' − p with p' = p·(1 − lr·wd) − step (no_prox) or (p − step)/(1 + lr·wd)
        if (o.no_prox) return tf.sub(tf.neg(tf.mul(p, lri * wd)), step);
        return tf.sub(tf.div(tf.sub(p, step), 1 + lri * wd), p);
      });
      return [updates, { m, diff, n, prev: grads.map((g) => tf.clone(g)), count: tf.scalar(t) }];
    },
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}
