/**
 * GSAM, juntang-zhuang/GSAM `gsam/gsam.py` (a770275):
 *   n0 = ‖g0‖ (adaptive: ‖|w| ⊙ g0‖; norm of per-tensor norms);  e = g0 · rho_t/(n0 + ξ) (adaptive: ⊙ w²)
 *   g1 = ∇L(w + e);  cos = <g0, g1>/(‖g1‖·‖g0‖ + ξ);  vert = g0 − cos·‖g0‖·g1/(‖g1‖ + ξ)
 *   g = g1 − alpha·vert;  w = (w + e) − e (subtraction, as the official code);  base step with g.
 * rho_t follows the base lr like the official ProportionScheduler (transforms/proportion-rho.ts).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { add, normOfNorms, sub, vdot, zip } from '../../backends/tree.js';
import { clipOption, defineWrapper } from '../entry.js';
import { fusedGsam } from '../fused/sam-family.js';
import { proportionRho } from '../transforms/proportion-rho.js';
import { wrapBase } from '../wrap-base.js';

export const gsam = defineWrapper({
  name: 'gsam',
  summary: 'Surrogate-gap guided SAM (juntang-zhuang/GSAM); rho follows the lr (ProportionScheduler)',
  schema: z.strictObject({
    rho: z.number().min(0).default(0.05).describe('rho_max: the radius while the base lr is at its configured value'),
    rho_min: z.number().min(0).nullable().default(null).describe('radius when lr = lr_min; null = rho (constant radius)'),
    lr_min: z.number().min(0).default(0).describe('lr at which the radius is rho_min'),
    alpha: z.number().default(0.4).describe('weight of the removed component of g0 orthogonal to g1 (0 = SAM)'),
    adaptive: z.boolean().default(false).describe('scale by |w| as in ASAM (davda54 form)'),
    perturb_eps: z.number().min(0).default(1e-12).describe('ξ in the norms and cosine'),
    ...clipOption,
  }),
  gradEvals: 2,
  info: { source: 'juntang-zhuang/GSAM gsam/gsam.py' },
  create(o, base) {
    const rhoNow = proportionRho(o, base);
    const eps = o.perturb_eps;
    return wrapBase('gsam', base, {
      update(g0, w, ctx) {
        const rho = rhoNow();
        const n0 = normOfNorms(o.adaptive ? zip(w, g0, (wi, gi) => tf.mul(tf.abs(wi), gi)) : g0);
        const scale = tf.div(rho, tf.add(n0, eps));
        const e = zip(w, g0, (wi, gi) => (o.adaptive ? tf.mul(tf.mul(gi, scale), tf.square(wi)) : tf.mul(gi, scale)));
        const at = add(w, e);
        const g1 = ctx.evaluate(at).grads;
        const inner = vdot(g0, g1);
        const newNorm = normOfNorms(g1);
        const oldNorm = normOfNorms(g0);
        const cosine = tf.div(inner, tf.add(tf.mul(newNorm, oldNorm), eps));
        ctx.report('grad_norm', n0);
        ctx.report('cosine', cosine as tf.Scalar);
        const denom = tf.add(newNorm, eps);
        const g = zip(g0, g1, (a, b) => {
          const vertical = tf.sub(a, tf.div(tf.mul(tf.mul(cosine, oldNorm), b), denom));
          return tf.add(b, tf.mul(vertical, -o.alpha));
        });
        return { grads: g, from: sub(at, e) };
      },
      hyperparams: () => ({ rho: rhoNow() }),
    });
  },
  fused: (o, base) => (o.adaptive ? undefined : fusedGsam(o, base)),
});
