/**
 * Friendly SAM (Li et al., CVPR 2024), official nblt/F-SAM `utils.py` FriendlySAM: the ascent uses
 * the batch gradient minus σ times an EMA of past gradients (the full-gradient component), so the
 * perturbation follows the batch-specific noise:
 *   first step: m ← g, ascent direction d = g
 *   later:      d = g − σ·m;  m ← λ·m + (1 − λ)·g           (m before the update in d)
 *   e = (w² if adaptive)·d·ρ/(‖s⊙d‖ + 1e-12);  g_s = ∇L(w + e);  w restored from the copy;  base step with g_s
 * The EMA m is state (`m/<i>`, with the step counter `count`), checkpointed with the base's.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { normOfNorms, select, zip } from '../../backends/tree.js';
import { clipOption, defineWrapper } from '../entry.js';
import { wrapBase } from '../wrap-base.js';

export const friendlySam = defineWrapper({
  name: 'friendly-sam',
  summary: 'Friendly SAM (F-SAM): SAM whose ascent removes σ·EMA of past gradients from the batch gradient (nblt/F-SAM)',
  schema: z.strictObject({
    rho: z.number().min(0).default(0.05).describe('radius of the ascent step (class default; the CIFAR script uses 0.1–0.2)'),
    sigma: z.number().min(0).default(1).describe('σ: weight of the gradient EMA removed from the ascent direction'),
    lmbda: z.number().min(0).lt(1).default(0.9).describe('λ: decay of the gradient EMA (class default 0.9; train.py default 0.95)'),
    adaptive: z.boolean().default(false).describe('davda54 ASAM form: e = ρ·w²⊙d/‖|w|⊙d‖'),
    ...clipOption,
  }),
  gradEvals: 2,
  info: { source: 'nblt/F-SAM utils.py (FriendlySAM)', paper: 'Li et al. 2024, Friendly Sharpness-Aware Minimization' },
  schedulable: ['rho'],
  create: (o, base, hy) => wrapBase('friendly-sam', base, {
    init: (params) => ({ m: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, w, ctx, state) {
      const m = state['m'] as tf.Tensor[];
      const count = state['count'] as tf.Scalar;
      const first = tf.equal(count, 0) as tf.Scalar;
      // on the first step the official code stores g and leaves the gradient as it is
      const keep = select(first, 0, 1);
      const d = zip(grads, m, (g, mi) => tf.where(tf.cast(keep, 'bool'), tf.sub(g, tf.mul(mi, o.sigma)), g));
      const nextM = zip(grads, m, (g, mi) => tf.where(tf.cast(keep, 'bool'), tf.add(tf.mul(mi, o.lmbda), tf.mul(g, 1 - o.lmbda)), g));
      const n = normOfNorms(o.adaptive ? zip(w, d, (wi, di) => tf.mul(tf.abs(wi), di)) : d);
      ctx.report('grad_norm', n);
      const scale = tf.div(hy.rho!.value, tf.add(n, 1e-12));
      const at = zip(w, d, (wi, di) => tf.add(wi, tf.mul(o.adaptive ? tf.mul(tf.square(wi), di) : di, scale)));
      return { grads: ctx.evaluate(at).grads, state: { m: nextM, count: tf.add(count, 1) } };
    },
    hyperparams: () => ({ rho: hy.rho!.value }),
  }),
});
