/**
 * Finite-difference gradient regularisation (Karakida, Takase, Hayase & Osawa, ICML 2023,
 * "Understanding Gradient Regularization in Deep Learning: Efficient Finite-Difference Computation
 * and Implicit Bias"). GR minimises L + (γ/2)·‖∇L‖², whose gradient g + γ·H·g is approximated
 * without double back-propagation:
 *   fgr (forward):  g̃ = (1 − γ/ε)·g(w) + (γ/ε)·g(w + ε·g)      (H·g ≈ (g(w + εg) − g(w))/ε: an ascent point, SAM-like)
 *   bgr (backward): g̃ = (1 + γ/ε)·g(w) − (γ/ε)·g(w − ε·g)      (H·g ≈ (g(w) − g(w − εg))/ε)
 * then the base step with g̃ at w (restored from the copy). There is no official code; the forms
 * are the paper's eqs. (5)–(6). `normalized: true` uses the step ε·g/‖g‖ (SAM's radius form) and
 * divides by ε/‖g‖ accordingly (an option; the paper's form is unnormalised).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { normOfNorms, zip } from '../../backends/tree.js';
import { clipOption, defineWrapper } from '../entry.js';
import { wrapBase } from '../wrap-base.js';

const schema = z.strictObject({
  gamma: z.number().min(0).default(0.001).describe('γ: weight of the ‖∇L‖²/2 penalty (no official default; γ = ε makes fgr a gradient at w + εg, unnormalised SAM)'),
  epsilon: z.number().positive().default(0.001).describe('ε: the finite-difference step along g'),
  normalized: z.boolean().default(false).describe('step ε·g/‖g‖ instead of ε·g (the coefficients use ε/‖g‖)'),
  ...clipOption,
});

function gradientRegularization(name: 'fgr' | 'bgr') {
  const sign = name === 'fgr' ? 1 : -1;
  return defineWrapper({
    name,
    summary: name === 'fgr'
      ? 'Forward finite-difference gradient regularisation: (1 − γ/ε)·g(w) + (γ/ε)·g(w + εg) (Karakida et al. 2023)'
      : 'Backward finite-difference gradient regularisation: (1 + γ/ε)·g(w) − (γ/ε)·g(w − εg) (Karakida et al. 2023)',
    schema,
    gradEvals: 2,
    info: { source: 'paper only (no official code): Karakida et al. 2023, eqs. (5)–(6)', paper: 'Karakida et al. 2023, Understanding Gradient Regularization in Deep Learning' },
    create: (o, base) => wrapBase(name, base, {
      update(g, w, ctx) {
        // h: the step actually taken along g (ε, or ε/‖g‖ when normalized), as a scalar tensor
        const norm = normOfNorms(g);
        ctx.report('grad_norm', norm);
        const h = o.normalized ? tf.div(o.epsilon, tf.add(norm, 1e-12)) : tf.scalar(o.epsilon);
        const step = tf.mul(h, sign);
        const g2 = ctx.evaluate(zip(w, g, (wi, gi) => tf.add(wi, tf.mul(gi, step)))).grads;
        const c = tf.div(o.gamma, h); // γ/ε
        const own = tf.sub(1, tf.mul(c, sign)); // 1 ∓ γ/ε
        const other = tf.mul(c, sign); // ±γ/ε
        return { grads: zip(g, g2, (a, b) => tf.add(tf.mul(a, own), tf.mul(b, other))) };
      },
      hyperparams: () => ({ gamma: o.gamma }),
    }),
  });
}

export const fgr = gradientRegularization('fgr');
export const bgr = gradientRegularization('bgr');
