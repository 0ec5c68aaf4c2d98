/**
 * AMP, adversarial model perturbation (Zheng et al., CVPR 2021), official hiyouga/AMP-Regularizer
 * `amp.py`. inner_iter ascent steps on a perturbation δ kept inside a per-tensor L2 ball of radius ε:
 *   δ₀ = 0;  for i < inner_iter:  δ' = δ + inner_lr·∇L(w + δ);  δ' ← δ'·ε/(‖δ'‖ + 1e-12) if that factor < 1;
 *                                 w ← (w − δ) + δ';  δ ← δ'          (p.sub_(dev).add_(new dev))
 *   w ← w − δ;  base step with the last gradient ∇L(w + δ)
 * Norms are per tensor (`dev.norm()`), the gradients those of the last evaluation, as upstream.
 * Costs 1 + inner_iter evaluations (gradEvals is the default's, 2).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { l2, zip } from '../../backends/tree.js';
import { clipOption, defineWrapper } from '../entry.js';
import type { Params, Updates } from '../transform.js';
import { wrapBase } from '../wrap-base.js';

export const amp = defineWrapper({
  name: 'amp',
  summary: 'Adversarial model perturbation: inner_iter ascent steps on δ in per-tensor ε-balls, base step with ∇L(w + δ) (hiyouga/AMP-Regularizer)',
  schema: z.strictObject({
    epsilon: z.number().min(0).default(0.5).describe('ε: radius of each tensor\'s perturbation ball (--epsilon, default 0.5)'),
    inner_lr: z.number().min(0).default(1).describe('inner ascent learning rate (--inner_lr, default 1)'),
    inner_iter: z.number().int().min(0).default(1).describe('inner ascent steps, each one more evaluation (--inner_iter, default 1)'),
    ...clipOption,
  }),
  gradEvals: 2,
  info: { source: 'hiyouga/AMP-Regularizer amp.py', paper: 'Zheng et al. 2021, Regularizing Neural Networks via Adversarial Model Perturbation' },
  create: (o, base) => wrapBase('amp', base, {
    update(grads, w, ctx) {
      let g: Updates = grads;
      let at: Params = w;
      let dev: tf.Tensor[] = w.map((x) => tf.zerosLike(x));
      for (let i = 0; i < o.inner_iter; i++) {
        const next = zip(dev, g, (d, gi) => {
          const raw = tf.add(d, tf.mul(gi, o.inner_lr));
          const coef = tf.div(o.epsilon, tf.add(l2(raw), 1e-12));
          return tf.where(tf.less(coef, 1), tf.mul(raw, coef), raw);
        });
        at = zip(at, dev, (p, d, j) => tf.add(tf.sub(p, d), next[j]!));
        dev = next;
        g = ctx.evaluate(at).grads;
      }
      return o.inner_iter === 0 ? { grads: g } : { grads: g, from: zip(at, dev, (p, d) => tf.sub(p, d)) };
    },
    hyperparams: () => ({ epsilon: o.epsilon }),
  }),
});
