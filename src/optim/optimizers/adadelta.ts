/**
 * Adadelta with torch semantics (torch/optim/adadelta.py `_single_tensor_adadelta`, torch 2.13):
 *   g = g + wd·p;  v = ρ·v + (1 − ρ)·g²;  d = sqrt(Δ + eps)/sqrt(v + eps)·g;  Δ = ρ·Δ + (1 − ρ)·d²;  p −= lr·d
 * Zeiler 2012 has no learning rate (lr = 1, torch's default); torch adds lr and weight decay.
 */
import { z } from 'zod';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdadelta } from '../transforms/scale-by-adadelta.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

export const adadelta = defineOptimizer({
  name: 'adadelta',
  summary: 'Adadelta: the step scaled by the RMS of past steps over the RMS of gradients (torch.optim.Adadelta semantics)',
  schema: z.strictObject({
    lr: lrOption(1),
    rho: z.number().min(0).max(1).default(0.9).describe('decay of both running averages'),
    eps: z.number().min(0).default(1e-6).describe('inside both square roots'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2: g ← g + wd·p'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'pytorch/pytorch torch/optim/adadelta.py', paper: 'Zeiler 2012, ADADELTA' },
  create: (o) => clipped(o.clip_grad_norm, addDecayedWeights(o.weight_decay), scaleByAdadelta(o.rho, o.eps), scaleByLearningRate({ value: o.lr })),
});
