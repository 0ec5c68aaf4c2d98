/**
 * WSAM, Weighted SAM (Yue et al., KDD 2023), official intelligent-machine-learning/dlrover
 * `atorch/atorch/optimizers/wsam.py` (WeightedSAM) at bfd04ef, the last commit before atorch left
 * the repository (defaults γ 0.9, max_norm None; an earlier revision had 0.88 and 1.0):
 *   e = (w² if adaptive)·g·ρ/(‖s⊙g‖ + sam_eps);  w ← w + e;  g ← clip(g, max_norm)  (stored)
 *   g_s = ∇L(w + e);  w ← (w + e) − e;  g_s ← clip(g_s, max_norm)
 *   decouple (default): s = g_s − g; base step with g; then w ← w − lr·α·s
 *   else:               base step with α·g_s + (1 − α)·g
 * with α = γ/(1 − γ). The sharpness step uses the base's current lr (the schedule's), as the
 * official `group["lr"]`. Clipping is torch's clip_grad_norm_ (coef min(1, c/(‖g‖ + 1e-6))), after
 * the perturbation was computed from the raw gradient, as upstream.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { add, normOfNorms, sub, zip } from '../../backends/tree.js';
import { clipOption, defineWrapper } from '../entry.js';
import type { Updates } from '../transform.js';
import { wrapBase } from '../wrap-base.js';

/** torch clip_grad_norm_ on a whole gradient (null: as it is). */
function clipTo(g: Updates, maxNorm: number | null): Updates {
  if (maxNorm === null) return g;
  const coef = tf.minimum(tf.div(maxNorm, tf.add(normOfNorms(g), 1e-6)), 1);
  return g.map((x) => tf.mul(x, coef));
}

export const wsam = defineWrapper({
  name: 'wsam',
  summary: 'Weighted SAM: sharpness as a regulariser weighted γ/(1 − γ), decoupled from the base step by default (dlrover atorch wsam.py)',
  schema: z.strictObject({
    rho: z.number().min(0).default(0.05).describe('radius of the ascent step'),
    gamma: z.number().min(0).lt(1).default(0.9).describe('γ: the sharpness term is weighted α = γ/(1 − γ) (official class default 0.9)'),
    sam_eps: z.number().min(0).default(1e-12).describe('added to the gradient norm'),
    adaptive: z.boolean().default(false).describe('davda54 ASAM form: e = ρ·w²⊙g/‖|w|⊙g‖'),
    decouple: z.boolean().default(true).describe('true: base step with g, then w ← w − lr·α·(g_s − g); false: base step with α·g_s + (1 − α)·g'),
    max_norm: z.number().positive().nullable().default(null).describe('clip_grad_norm_ of g and of g_s (official class default None = off)'),
    ...clipOption,
  }),
  gradEvals: 2,
  info: { source: 'intelligent-machine-learning/dlrover atorch/atorch/optimizers/wsam.py (bfd04ef)', paper: 'Yue et al. 2023, Sharpness-Aware Minimization Revisited: Weighted Sharpness as a Regularization Term' },
  schedulable: ['rho'],
  create(o, base, hy) {
    const alpha = o.gamma / (1 - o.gamma);
    return wrapBase('wsam', base, {
      update(grads, w, ctx) {
        const n = normOfNorms(o.adaptive ? zip(w, grads, (wi, gi) => tf.mul(tf.abs(wi), gi)) : grads);
        ctx.report('grad_norm', n);
        const scale = tf.div(hy.rho!.value, tf.add(n, o.sam_eps));
        const e = zip(w, grads, (wi, gi) => tf.mul(o.adaptive ? tf.mul(tf.square(wi), gi) : gi, scale));
        const at = add(w, e);
        const g = clipTo(grads, o.max_norm);
        const gs = clipTo(ctx.evaluate(at).grads, o.max_norm);
        const from = sub(at, e);
        if (!o.decouple) return { grads: zip(gs, g, (a, b) => tf.add(tf.mul(a, alpha), tf.mul(b, 1 - alpha))), from };
        const sharpness = sub(gs, g);
        const lr = base.learningRate?.value ?? 0;
        return { grads: g, from, land: (theta) => zip(theta, sharpness, (t, s) => tf.add(t, tf.mul(s, -lr * alpha))) };
      },
      hyperparams: () => ({ rho: hy.rho!.value }),
    });
  },
});
