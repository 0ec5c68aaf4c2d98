/**
 * Grams, official Gunale0926/Grams `grams/src/grams.py` (4c9546d):
 *   p = p − lr·wd·p (before everything);  m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
 *   denom = sqrt(v) + eps   (eps on the UNcorrected sqrt)
 *   step = lr·sqrt(1 − β2^t)/(1 − β1^t) if correct_bias else lr
 *   p = p − step · sign(g) ⊙ |m| / denom   (direction from the CURRENT gradient, sign(0) = 0)
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { fusedGrams } from '../fused/grams.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByGrams } from '../transforms/scale-by-grams.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

export const grams = defineOptimizer({
  name: 'grams',
  summary: 'Grams: Adam moments for the size, the current gradient’s sign for the direction (official code)',
  schema: z.strictObject({
    lr: lrOption(1e-3),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-6).describe('added to the UNcorrected sqrt(v) (official code)'),
    weight_decay: z.number().min(0).default(0).describe('decoupled: p ← p − lr·wd·p before the step'),
    correct_bias: z.boolean().default(true).describe('step size lr·sqrt(1 − β2^t)/(1 − β1^t)'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'Gunale0926/Grams grams/src/grams.py' },
  create: (o) => clipped(
    o.clip_grad_norm, scaleByGrams(o.betas, o.eps, o.correct_bias), addDecayedWeights(o.weight_decay), scaleByLearningRate({ value: o.lr }),
  ),
  fused: fusedGrams,
});
