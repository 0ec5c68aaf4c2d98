/**
 * GSAM, juntang-zhuang/GSAM `gsam/gsam.py` (a770275):
 *   n0 = ‖g0‖ (adaptive: ‖|w| ⊙ g0‖; norm of per-tensor norms);  e = g0 · rho_t/(n0 + ξ) (adaptive: ⊙ w²)
 *   g1 = ∇L(w + e);  cos = <g0, g1>/(‖g1‖·‖g0‖ + ξ);  vert = g0 − cos·‖g0‖·g1/(‖g1‖ + ξ)
 *   g = g1 − alpha·vert;  w = (w + e) − e (subtraction, as the official code);  base step with g.
 * rho_t follows the base lr like the official ProportionScheduler:
 *   (rho_t − rho_min)/(rho − rho_min) = (lr_t − lr_min)/(lr_max − lr_min), lr_max = the configured base lr.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { baseSlot, buildBase, clipOption, defineOptimizer, forwardLearningRate } from '../entry.js';
import type { Spec } from '../../core/registry.js';
import type { StateTree } from '../transform.js';
import { add, normOfNorms, sub, vdot, zip } from '../tree.js';
import { fusedActive, runProgram } from '../fused/kernel.js';
import { ascentProgram, correctionProgram } from '../fused/rules.js';
import { rebase } from '../fused/wrappers.js';

type GsamOptions = {
  rho: number; rho_min: number | null; lr_min: number; alpha: number; adaptive: boolean; perturb_eps: number; clip_grad_norm: number | null;
};

export const gsam = defineOptimizer<z.ZodType<GsamOptions>, { base: Spec }>({
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
  nested: baseSlot,
  info: { gradEvals: 2, source: 'juntang-zhuang/GSAM gsam/gsam.py' },
  create(o, deps) {
    const base = buildBase(o, deps);
    const lrMax = base.learningRate?.value ?? 0;
    const rhoMin = o.rho_min ?? o.rho;
    const rhoNow = (): number => {
      const lr = base.learningRate?.value ?? lrMax;
      if (lrMax === o.lr_min) return o.rho;
      return rhoMin + ((o.rho - rhoMin) * (lr - o.lr_min)) / (lrMax - o.lr_min);
    };
    const eps = o.perturb_eps;
    const corr = correctionProgram(o.alpha);
    return {
      name: 'gsam',
      init: (params) => ({ base: base.init(params) }),
      update(g0, state, w, ctx) {
        const rho = rhoNow();
        const n0 = normOfNorms(o.adaptive ? zip(w, g0, (wi, gi) => tf.mul(tf.abs(wi), gi)) : g0);
        const scale = tf.div(rho, tf.add(n0, eps));
        // fused (not adaptive): e and w + e in one pass; ‖g0‖ is n0 (the same ops on the same tensors)
        const fused = fusedActive() && !o.adaptive;
        const ascent = fused ? w.map((wi, i) => runProgram(ascentProgram, [wi, g0[i]!], [scale])) : null;
        const e = ascent ? ascent.map((x) => x[0]!) : zip(w, g0, (wi, gi) => (o.adaptive ? tf.mul(tf.mul(gi, scale), tf.square(wi)) : tf.mul(gi, scale)));
        const at = ascent ? ascent.map((x) => x[1]!) : add(w, e);
        const g1 = ctx.evaluate(at).grads;
        const inner = vdot(g0, g1);
        const newNorm = normOfNorms(g1);
        const oldNorm = fused ? n0 : normOfNorms(g0);
        const cosine = tf.div(inner, tf.add(tf.mul(newNorm, oldNorm), eps));
        ctx.report('grad_norm', n0);
        ctx.report('cosine', cosine as tf.Scalar);
        const denom = tf.add(newNorm, eps);
        if (fused) {
          const k = tf.mul(cosine, oldNorm) as tf.Scalar;
          const parts = g0.map((a, i) => runProgram(corr, [a, g1[i]!, at[i]!, e[i]!], [k, denom]));
          const restored = parts.map((x) => x[1]!);
          const [u, bs] = base.update(parts.map((x) => x[0]!), (state as { base: StateTree }).base, restored, ctx);
          return [rebase(restored, u, w), { base: bs }];
        }
        const g = zip(g0, g1, (a, b) => {
          const vertical = tf.sub(a, tf.div(tf.mul(tf.mul(cosine, oldNorm), b), denom));
          return tf.add(b, tf.mul(vertical, -o.alpha));
        });
        const restored = sub(at, e);
        const [u, bs] = base.update(g, (state as { base: StateTree }).base, restored, ctx);
        return [zip(restored, u, (r, ui, i) => tf.sub(tf.add(r, ui), w[i]!)), { base: bs }];
      },
      ...forwardLearningRate(base),
      hyperparams: () => ({ ...base.hyperparams?.(), rho: rhoNow() }),
    };
  },
});
