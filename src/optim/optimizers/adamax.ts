/**
 * Adamax with torch semantics (torch/optim/adamax.py `_single_tensor_adamax`, torch 2.13):
 *   g = g + wd·p;  m = lerp(m, g, 1 − β1);  u = max(β2·u, |g| + eps);  p −= lr/(1 − β1^t)·m/u
 * Kingma & Ba 2015 §7.1 has no eps (u = max(β2·u, |g|)); torch's eps inside the max avoids 0/0.
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdamax } from '../transforms/scale-by-adamax.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

export const adamax = defineOptimizer({
  name: 'adamax',
  summary: 'Adamax: Adam with the infinity norm in the denominator (torch.optim.Adamax semantics)',
  schema: z.strictObject({
    lr: lrOption(2e-3),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-8).describe('added to |g| inside the max (torch)'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2: g ← g + wd·p'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'pytorch/pytorch torch/optim/adamax.py', paper: 'Kingma & Ba 2015, §7.1' },
  create: (o) => clipped(o.clip_grad_norm, addDecayedWeights(o.weight_decay), scaleByAdamax(o.betas, o.eps), scaleByLearningRate({ value: o.lr })),
});
