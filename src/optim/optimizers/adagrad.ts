/**
 * Adagrad with torch semantics (torch/optim/adagrad.py `_single_tensor_adagrad`, torch 2.13):
 *   g = g + wd·p;  clr = lr/(1 + (t − 1)·lr_decay);  s = s + g² (s₀ = initial_accumulator_value);  p −= clr·g/(sqrt(s) + eps)
 * Duchi et al. 2011 have δ inside the root's denominator as here and no lr decay (a torch addition).
 */
import { z } from 'zod';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByRss } from '../transforms/scale-by-rss.js';

export const adagrad = defineOptimizer({
  name: 'adagrad',
  summary: 'Adagrad with lr decay and an initial accumulator (torch.optim.Adagrad semantics)',
  schema: z.strictObject({
    lr: lrOption(1e-2),
    lr_decay: z.number().min(0).default(0).describe('step t uses lr/(1 + (t − 1)·lr_decay)'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2: g ← g + wd·p'),
    initial_accumulator_value: z.number().min(0).default(0).describe('starting value of the sum of squared gradients'),
    eps: z.number().min(0).default(1e-10).describe('added to sqrt(Σg²)'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'pytorch/pytorch torch/optim/adagrad.py', paper: 'Duchi, Hazan & Singer 2011' },
  create: (o) => clipped(
    o.clip_grad_norm,
    addDecayedWeights(o.weight_decay),
    scaleByRss(o.initial_accumulator_value, o.eps, o.lr_decay),
    scaleByLearningRate({ value: o.lr }),
  ),
});
