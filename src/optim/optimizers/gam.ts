/**
 * GAM (Accelerated GAM, Algorithm 2), official xxgege/GAM `gam/gam.py` (694133d), code arithmetic:
 *   e0 = g0·ρ′/(‖g0‖ + ξ);  g1 = ∇L(w + e0);  w ← (w + e0) − e0
 *   h0 = g1 − g0;  e1 = h0·ρ/(‖h0‖ + ξ);  g2 = ∇L(w + e1)
 *   e2 = g2·ρ′/(‖g2‖ + ξ);  g3 = ∇L(w + e1 + e2)
 *   h− = g0 + |1 − β|·g2   (CODE; the paper's line 14 is β·g0 + (1 − β)·g2: `paper_h_minus: true`)
 *   h+ = α·g1 + (1 − α)·g3;  cos = <h−, h+>/(‖h+‖·‖h−‖ + ξ);  vert = h− − cos·‖h−‖·h+/(‖h+‖ + ξ)
 *   g = h+ − γ·vert;  w ← (w + e1 + e2) − (e1 + e2);  base step with g.
 * Norms sum squares then take the root; adaptive multiplies by |w| in the norms and by w² in e, at
 * the weights current at that point (as the official code).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { add, sub, sumSquaresNorm, vdot, zip, type Tree } from '../../backends/tree.js';
import { clipOption, defineWrapper, type Hypers } from '../entry.js';
import { fusedGam, type GamOptions } from '../fused/gam.js';
import type { GradientTransformation } from '../transform.js';
import { wrapBase } from '../wrap-base.js';

function gamRecipe(o: GamOptions, base: GradientTransformation): GradientTransformation {
  const xi = o.perturb_eps;
  const beta2 = 1 - o.grad_beta_0;
  const beta3 = 1 - o.grad_beta_1;
  const norm = (g: Tree, w: Tree): tf.Scalar => sumSquaresNorm(o.adaptive ? zip(g, w, (gi, wi) => tf.mul(gi, tf.abs(wi))) : g);
  /** e = g·(radius/(‖g‖ + ξ)) (⊙ w² if adaptive) at weights w. */
  const perturbation = (g: Tree, w: Tree, radius: number): { e: tf.Tensor[]; n: tf.Scalar } => {
    const n = norm(g, w);
    const scale = tf.div(radius, tf.add(n, xi));
    return { n, e: zip(g, w, (gi, wi) => (o.adaptive ? tf.mul(tf.mul(gi, scale), tf.square(wi)) : tf.mul(gi, scale))) };
  };
  return wrapBase('gam', base, {
    update(g0, w, ctx) {
      const p0 = perturbation(g0, w, o.grad_rho);
      ctx.report('grad_norm', p0.n);
      const w1 = add(w, p0.e);
      const g1 = ctx.evaluate(w1).grads;
      const wA = sub(w1, p0.e);
      const h0 = sub(g1, g0);
      const e1 = perturbation(h0, wA, o.grad_norm_rho).e;
      const w2 = add(wA, e1);
      const g2 = ctx.evaluate(w2).grads;
      const e2 = perturbation(g2, w2, o.grad_rho).e;
      const w3 = add(w2, e2);
      const e12 = add(e1, e2);
      const g3 = ctx.evaluate(w3).grads;

      const hMinus = o.paper_h_minus
        ? zip(g0, g2, (a, b) => tf.add(tf.mul(a, o.grad_beta_0), tf.mul(b, beta2)))
        : zip(g0, g2, (a, b) => tf.add(a, tf.mul(b, Math.abs(beta2))));
      const hPlus = zip(g1, g3, (a, b) => tf.add(tf.mul(a, o.grad_beta_1), tf.mul(b, beta3)));
      const inner = vdot(hMinus, hPlus);
      const newNorm = sumSquaresNorm(hPlus);
      const oldNorm = sumSquaresNorm(hMinus);
      const cosine = tf.div(inner, tf.add(tf.mul(newNorm, oldNorm), xi));
      ctx.report('cosine', cosine as tf.Scalar);
      const denom = tf.add(newNorm, xi);
      const g = zip(hMinus, hPlus, (m, p) => {
        const vertical = tf.sub(m, tf.div(tf.mul(tf.mul(cosine, oldNorm), p), denom));
        return tf.add(p, tf.mul(vertical, -o.grad_gamma));
      });
      return { grads: g, from: sub(w3, e12) };
    },
    hyperparams: () => ({ grad_rho: o.grad_rho, grad_norm_rho: o.grad_norm_rho }),
  });
}

export const gam = defineWrapper({
  name: 'gam',
  summary: 'Gradient norm Aware Minimization, accelerated first-order form (xxgege/GAM code arithmetic)',
  schema: z.strictObject({
    grad_rho: z.number().min(0).default(0.03).describe('ρ′: radius of both SAM-like ascent steps (CIFAR-10 ResNet value)'),
    grad_norm_rho: z.number().min(0).default(0.2).describe('ρ: radius of the gradient-norm ascent'),
    grad_beta_0: z.number().default(0.1).describe('β; the code derives grad_beta_2 = 1 − β'),
    grad_beta_1: z.number().default(0.1).describe('α; the code derives grad_beta_3 = 1 − α'),
    grad_gamma: z.number().default(0.05).describe('γ: weight of the orthogonal correction'),
    adaptive: z.boolean().default(false).describe('scale perturbations by |w| (norms) and w² (steps)'),
    perturb_eps: z.number().min(0).default(1e-12).describe('ξ in the norms and cosine'),
    paper_h_minus: z.boolean().default(false).describe("true: h− = β·g0 + (1 − β)·g2 (paper line 14) instead of the code's g0 + |1 − β|·g2"),
    ...clipOption,
  }),
  gradEvals: 4,
  info: { source: 'xxgege/GAM gam/gam.py' },
  schedulable: ['grad_rho', 'grad_norm_rho'],
  create: (o, base, h) => gamRecipe(live(o, h), base),
  fused: (o, base, h) => (o.adaptive ? undefined : fusedGam(live(o, h), base)),
});

/** The options with both radii read from their Hypers at each use (a scheduled radius changes per step). */
function live(o: GamOptions, h: Hypers): GamOptions {
  return Object.defineProperties({ ...o }, {
    grad_rho: { get: () => h.grad_rho!.value, enumerable: true },
    grad_norm_rho: { get: () => h.grad_norm_rho!.value, enumerable: true },
  });
}
