/**
 * SAM, davda54/sam `sam.py` (HEAD 3c3afdb), with its ASAM form (`adaptive: true`):
 *   n = ‖s ⊙ g‖ (global, norm of per-tensor norms; s = |w| if adaptive else 1)
 *   e = (w² if adaptive else 1) ⊙ g · rho/(n + eps);   g' = ∇L(w + e) on the same batch
 *   w restored from the copy; base step with g' at w (its momentum / weight decay act at w).
 * eps = 0 gives the google-research `dual_vector` form g/‖g‖ (add their global clipping with
 * clip_grad_norm and put their L2 into the loss).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { baseSlot, buildBase, clipOption, defineOptimizer, forwardLearningRate } from '../entry.js';
import type { Spec } from '../../core/registry.js';
import type { StateTree } from '../transform.js';
import { normOfNorms, zip } from '../tree.js';
import { fusedActive, runProgram } from '../fused/kernel.js';
import { axpyProgram } from '../fused/rules.js';

export const sam = defineOptimizer<z.ZodType<{ rho: number; adaptive: boolean; eps: number; clip_grad_norm: number | null }>, { base: Spec }>({
  name: 'sam',
  summary: 'Sharpness-Aware Minimization around any base optimizer (davda54/sam; adaptive: davda54 ASAM form)',
  schema: z.strictObject({
    rho: z.number().min(0).default(0.05).describe('radius of the ascent step'),
    adaptive: z.boolean().default(false).describe('davda54 ASAM form: e = ρ·w²⊙g/‖|w|⊙g‖, every tensor, no η'),
    eps: z.number().min(0).default(1e-12).describe('added to the gradient norm; 0 = google-research form g/‖g‖'),
    ...clipOption,
  }),
  nested: baseSlot,
  info: { gradEvals: 2, source: 'davda54/sam sam.py' },
  create(o, deps) {
    const base = buildBase(o, deps);
    return {
      name: 'sam',
      init: (params) => ({ base: base.init(params) }),
      update(grads, state, w, ctx) {
        const s = o.adaptive ? zip(w, grads, (wi, gi) => tf.mul(tf.abs(wi), gi)) : grads;
        const n = normOfNorms(s);
        ctx.report('grad_norm', n);
        const scale = tf.div(o.rho, tf.add(n, o.eps));
        const at = fusedActive() && !o.adaptive
          ? w.map((wi, i) => runProgram(axpyProgram, [wi, grads[i]!], [scale])[0]!)
          : zip(w, grads, (wi, gi) => tf.add(wi, tf.mul(o.adaptive ? tf.mul(tf.square(wi), gi) : gi, scale)));
        const second = ctx.evaluate(at);
        const [u, bs] = base.update(second.grads, (state as { base: StateTree }).base, w, ctx);
        return [u, { base: bs }];
      },
      ...forwardLearningRate(base),
      hyperparams: () => ({ ...base.hyperparams?.(), rho: o.rho }),
    };
  },
});
