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
import { normOfNorms, zip } from '../../backends/tree.js';
import { clipOption, defineWrapper } from '../entry.js';
import { fusedSam } from '../fused/sam-family.js';
import { wrapBase } from '../wrap-base.js';

export const sam = defineWrapper({
  name: 'sam',
  summary: 'Sharpness-Aware Minimization around any base optimizer (davda54/sam; adaptive: davda54 ASAM form)',
  schema: z.strictObject({
    rho: z.number().min(0).default(0.05).describe('radius of the ascent step'),
    adaptive: z.boolean().default(false).describe('davda54 ASAM form: e = ρ·w²⊙g/‖|w|⊙g‖, every tensor, no η'),
    eps: z.number().min(0).default(1e-12).describe('added to the gradient norm; 0 = google-research form g/‖g‖'),
    ...clipOption,
  }),
  gradEvals: 2,
  info: { source: 'davda54/sam sam.py' },
  schedulable: ['rho'],
  create: (o, base, h) => wrapBase('sam', base, {
    update(grads, w, ctx) {
      const s = o.adaptive ? zip(w, grads, (wi, gi) => tf.mul(tf.abs(wi), gi)) : grads;
      const n = normOfNorms(s);
      ctx.report('grad_norm', n);
      const scale = tf.div(h.rho!.value, tf.add(n, o.eps));
      const at = zip(w, grads, (wi, gi) => tf.add(wi, tf.mul(o.adaptive ? tf.mul(tf.square(wi), gi) : gi, scale)));
      return { grads: ctx.evaluate(at).grads };
    },
    hyperparams: () => ({ rho: h.rho!.value }),
  }),
  fused: (o, base, h) => (o.adaptive ? undefined : fusedSam({ rho: h.rho!, eps: o.eps }, base)),
});
