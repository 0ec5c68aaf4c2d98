/**
 * Normalized gradient descent in the two forms of the seed papers (catalogue b25, b26):
 *   normalized-gd:       w ← w − lr·g/(‖g‖^α + eps), ‖·‖ the global L2 norm over every tensor
 *                        (α = 1: normalized GD; α ∈ (0, 1]: the β-normalized GD of the
 *                        generalized-smooth analyses; α = 0: plain GD);
 *   loss-normalized-gd:  w ← w − lr·g/(L − lb)   ("Normalized LR+GD", Tyurin 2024, eq. (5):
 *                        x ← x − γ/f(x)·∇f(x); lb = 0 as in the paper, a lower bound otherwise).
 * Neither paper ships code; optax `normalize_by_update_norm` is the α = 1 rule with eps 1e-6 added
 * to the norm (set `eps: 1e-6` for it; the default 0 is the papers'). A zero denominator (a zero
 * gradient, or L = lb) gives a zero update instead of 0/0.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { normOfNorms } from '../../backends/tree.js';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { stateless, type GradientTransformation } from '../transform.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

/** u/d with d > 0, and 0 where d ≤ 0 (the step a vanished normaliser leaves undefined). */
function divideSafely(u: readonly tf.Tensor[], d: tf.Scalar): tf.Tensor[] {
  const ok = tf.greater(d, 0);
  const inv = tf.where(ok, tf.div(1, tf.where(ok, d, tf.onesLike(d))), tf.zerosLike(d));
  return u.map((x) => tf.mul(x, inv));
}

/** u/(‖u‖^α + eps), the norm over every tensor together; reports `grad_norm`. */
export function scaleByGlobalNorm(alpha: number, eps: number): GradientTransformation<Record<string, never>> {
  return stateless('normalize', (u, _p, ctx) => {
    const norm = normOfNorms(u);
    ctx.report('grad_norm', norm);
    const d = alpha === 1 ? norm : tf.pow(norm, alpha);
    return divideSafely(u, (eps === 0 ? d : tf.add(d, eps)) as tf.Scalar);
  });
}

/** u/(L − lb), L the loss at the step's start; reports it as `normalizer`. */
export function scaleByInverseLoss(lb: number): GradientTransformation<Record<string, never>> {
  return stateless('loss_normalize', (u, _p, ctx) => {
    const d = (lb === 0 ? ctx.loss : tf.sub(ctx.loss, lb)) as tf.Scalar;
    ctx.report('normalizer', d);
    return divideSafely(u, d);
  });
}

export const normalizedGd = defineOptimizer({
  name: 'normalized-gd',
  summary: 'normalized GD: w ← w − lr·g/(‖g‖^α + eps), one global norm (seed papers b25/b26; optax normalize_by_update_norm)',
  schema: z.strictObject({
    lr: lrOption(0.1),
    alpha: z.number().min(0).default(1).describe('exponent of the norm: 1 normalized GD, 0 plain GD, in between the generalized-smooth β-normalized step'),
    eps: z.number().min(0).default(0).describe('added to ‖g‖^α (optax normalize_by_update_norm: 1e-6; the papers: 0)'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'no official code (seed papers b25/b26); optax _src/transform.py normalize_by_update_norm for α = 1', paper: 'Normalized GD (e.g. Chen et al. 2023, generalized smoothness)' },
  create: (o) => clipped(o.clip_grad_norm, scaleByGlobalNorm(o.alpha, o.eps), scaleByLearningRate({ value: o.lr })),
});

export const lossNormalizedGd = defineOptimizer({
  name: 'loss-normalized-gd',
  summary: 'loss-normalised GD (Normalized LR+GD): w ← w − lr·g/(L − lb) (Tyurin 2024; needs the loss value)',
  schema: z.strictObject({
    lr: lrOption(1),
    lb: z.number().default(0).describe('lower bound subtracted from the loss (the paper: 0, for non-negative losses)'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { needsLoss: true, source: 'no official code; Tyurin 2024 eq. (5) (Normalized LR+GD)', paper: 'Tyurin 2024, From logistic regression to the perceptron algorithm: GD with large step sizes' },
  create: (o) => clipped(o.clip_grad_norm, scaleByInverseLoss(o.lb), scaleByLearningRate({ value: o.lr })),
});
