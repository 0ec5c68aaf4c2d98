/**
 * NAdam with torch semantics (torch/optim/nadam.py `_single_tensor_nadam`, torch 2.13):
 *   decoupled_weight_decay: p = p·(1 − lr·wd) (NAdamW), else g = g + wd·p
 *   μ_t = β1(1 − ½·0.96^(t·ψ)), Π_t = Π_{t−1}·μ_t;  m = lerp(m, g, 1 − β1);  v = β2·v + (1 − β2)·g²
 *   D = sqrt(v/(1 − β2^t)) + eps;  p −= lr·((1 − μ_t)/(1 − Π_t)·g/D + μ_{t+1}/(1 − Π_t·μ_{t+1})·m/D)
 * The warming schedule μ_t = β1(1 − ½·0.96^(t/250)) is the one of Dozat 2016's experiments (ψ = 1/250,
 * Keras' `schedule_decay`); torch adds decoupled decay. ψ = 0 gives a constant μ = β1/2.
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByNadam } from '../transforms/scale-by-nadam.js';

export const nadam = defineOptimizer({
  name: 'nadam',
  summary: 'NAdam: Adam with Nesterov momentum and the momentum warming schedule (torch.optim.NAdam semantics)',
  schema: z.strictObject({
    lr: lrOption(2e-3),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-8).describe('added to sqrt(v̂)'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2 (g ← g + wd·p), or decoupled with decoupled_weight_decay'),
    momentum_decay: z.number().min(0).default(4e-3).describe('ψ in μ_t = β1·(1 − ½·0.96^(t·ψ))'),
    decoupled_weight_decay: z.boolean().default(false).describe('NAdamW: p ← p·(1 − lr·wd) instead of the coupled L2'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'pytorch/pytorch torch/optim/nadam.py', paper: 'Dozat 2016, Incorporating Nesterov Momentum into Adam' },
  create(o) {
    const direction = scaleByNadam(o.betas, o.eps, o.momentum_decay);
    const lr = scaleByLearningRate({ value: o.lr });
    return o.decoupled_weight_decay
      ? clipped(o.clip_grad_norm, direction, addDecayedWeights(o.weight_decay), lr)
      : clipped(o.clip_grad_norm, addDecayedWeights(o.weight_decay), direction, lr);
  },
});
