/**
 * LookSAM (Liu et al., CVPR 2022, "Towards Efficient and Scalable Sharpness-Aware Minimization"),
 * Algorithm 1. The authors published no code; this follows the paper's algorithm line by line:
 *   every k-th step (t mod k = 0):  e = g·ρ/‖g‖;  g_s = ∇L(w + e);
 *                                   g_v = g_s − ‖g_s‖·cos(g, g_s)·g/‖g‖   (the part of g_s orthogonal to g, kept)
 *   other steps:                    g_s = g + α·(‖g‖/‖g_v‖)·g_v          (one gradient evaluation)
 *   base step with g_s at w.
 * ‖·‖ are global norms; 1e-12 guards every division (davda54's SAM eps). `per_tensor: true` takes g_v
 * and the ratio ‖g‖/‖g_v‖ per tensor instead, as the unofficial port rollovd/LookSAM does (its ascent
 * radius stays global; its eps is 1e-8); the paper's Algorithm 1 is the global form. The direction g_v and the
 * step counter are state (`gv/<i>`, `count`), so a resumed run reuses the same direction. The
 * counter is read once per step (as lookahead's) to decide whether to evaluate again; grad_evals
 * is 2 on the k-th steps and 1 otherwise (the entry's gradEvals is the most a step costs).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { l2, normOfNorms, vdot, zip } from '../../backends/tree.js';
import { clipOption, defineWrapper } from '../entry.js';
import { wrapBase } from '../wrap-base.js';

const EPS = 1e-12;

export const looksam = defineWrapper({
  name: 'looksam',
  summary: 'LookSAM: SAM every k steps; in between, g + α·(‖g‖/‖g_v‖)·g_v reuses the stored orthogonal direction (Liu et al. 2022, Alg. 1)',
  schema: z.strictObject({
    rho: z.number().min(0).default(0.05).describe('radius of the ascent step on the k-th steps'),
    k: z.number().int().min(1).default(5).describe('steps between SAM evaluations (the paper uses 5)'),
    alpha: z.number().min(0).default(0.7).describe('α: weight of the reused direction g_v (the paper uses 0.7)'),
    per_tensor: z.boolean().default(false).describe('g_v and ‖g‖/‖g_v‖ per tensor, as the unofficial port rollovd/LookSAM (the paper: global vectors)'),
    ...clipOption,
  }),
  gradEvals: 2,
  info: { source: 'paper only (no official code): Liu et al. 2022 Algorithm 1', paper: 'Liu et al. 2022, Towards Efficient and Scalable Sharpness-Aware Minimization' },
  schedulable: ['rho'],
  create: (o, base, hy) => wrapBase('looksam', base, {
    init: (params) => ({ gv: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(g, w, ctx, state) {
      const count = state['count'] as tf.Scalar;
      const c = count.dataSync()[0]!;
      const gNorm = normOfNorms(g);
      ctx.report('grad_norm', gNorm);
      const nextCount = tf.scalar((c + 1) % o.k);
      if (c === 0) {
        const scale = tf.div(hy.rho!.value, tf.add(gNorm, EPS));
        const gs = ctx.evaluate(zip(w, g, (wi, gi) => tf.add(wi, tf.mul(gi, scale)))).grads;
        const gsNorm = normOfNorms(gs);
        const cos = tf.div(vdot(g, gs), tf.add(tf.mul(gNorm, gsNorm), EPS));
        ctx.report('cosine', cos as tf.Scalar);
        const along = tf.div(tf.mul(gsNorm, cos), tf.add(gNorm, EPS));
        // per tensor: g_s,i − ‖g_s,i‖·cos(g_i, g_s,i)·g_i/‖g_i‖ = g_s,i − (g_i·g_s,i/‖g_i‖²)·g_i
        const gv = o.per_tensor
          ? zip(gs, g, (a, b) => tf.sub(a, tf.mul(b, tf.div(tf.sum(tf.mul(a, b)), tf.add(tf.sum(tf.square(b)), EPS)))))
          : zip(gs, g, (a, b) => tf.sub(a, tf.mul(b, along)));
        return { grads: gs, state: { gv, count: nextCount } };
      }
      const gv = state['gv'] as tf.Tensor[];
      if (o.per_tensor) {
        const grads = zip(g, gv, (a, v) => tf.add(a, tf.mul(v, tf.mul(tf.div(l2(a), tf.add(l2(v), EPS)), o.alpha))));
        return { grads, state: { gv, count: nextCount } };
      }
      const ratio = tf.mul(tf.div(gNorm, tf.add(normOfNorms(gv), EPS)), o.alpha);
      return { grads: zip(g, gv, (a, v) => tf.add(a, tf.mul(v, ratio))), state: { gv, count: nextCount } };
    },
    hyperparams: () => ({ rho: hy.rho!.value }),
  }),
});
