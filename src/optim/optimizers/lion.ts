/**
 * Lion, google/automl `lion/lion_pytorch.py`:
 *   p = p·(1 − lr·wd);  u = β1·m + (1 − β1)·g;  p = p − lr·sign(u);  m = β2·m + (1 − β2)·g
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { fusedLion } from '../fused/lion.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByLion } from '../transforms/scale-by-lion.js';

export const lion = defineOptimizer({
  name: 'lion',
  summary: 'Lion: sign of an interpolated momentum, decoupled weight decay (google/automl)',
  schema: z.strictObject({
    lr: lrOption(1e-4),
    betas: betasOption(0.9, 0.99),
    weight_decay: z.number().min(0).default(0).describe('decoupled: p ← p·(1 − lr·wd)'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'google/automl lion/lion_pytorch.py' },
  schedulable: ['weight_decay'],
  create: (o, _deps, h) => clipped(o.clip_grad_norm, scaleByLion(o.betas), addDecayedWeights(h.weight_decay!), scaleByLearningRate({ value: o.lr })),
  fused: fusedLion,
});
