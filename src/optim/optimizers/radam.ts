/**
 * RAdam with torch semantics (torch/optim/radam.py `_single_tensor_radam`, torch 2.13), which
 * follows LiyuanLucasLiu/RAdam `radam/radam.py` except where noted:
 *   decoupled_weight_decay: p = p·(1 − lr·wd), else g = g + wd·p
 *   m = lerp(m, g, 1 − β1);  v = β2·v + (1 − β2)·g²;  ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t)
 *   ρ_t > 5: p −= lr·m̂·r_t·sqrt(1 − β2^t)/(sqrt(v) + eps);  else p −= lr·m̂   (m̂ = m/(1 − β1^t))
 * Differences from the authors' RAdam: they switch at ρ_t ≥ 5 (torch > 5; no integer step lands on
 * 5 exactly for the usual β2) and, with `degenerated_to_sgd=True`, take the SGD step as torch does;
 * their weight decay is decoupled p·(1 − wd·lr) applied in both branches — `decoupled_weight_decay: true`.
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByRadam } from '../transforms/scale-by-radam.js';

export const radam = defineOptimizer({
  name: 'radam',
  summary: 'RAdam: Adam with the variance rectification term, SGD with momentum while it is undefined (torch.optim.RAdam semantics)',
  schema: z.strictObject({
    lr: lrOption(1e-3),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-8).describe('added to sqrt(v) (before the bias correction, torch placement)'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2 (g ← g + wd·p), or decoupled with decoupled_weight_decay'),
    decoupled_weight_decay: z.boolean().default(false).describe('p ← p·(1 − lr·wd) (RAdamW; the authors\' code) instead of the coupled L2'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'pytorch/pytorch torch/optim/radam.py; LiyuanLucasLiu/RAdam radam/radam.py', paper: 'Liu et al. 2020, On the Variance of the Adaptive Learning Rate and Beyond' },
  create(o) {
    const direction = scaleByRadam(o.betas, o.eps);
    const lr = scaleByLearningRate({ value: o.lr });
    return o.decoupled_weight_decay
      ? clipped(o.clip_grad_norm, direction, addDecayedWeights(o.weight_decay), lr)
      : clipped(o.clip_grad_norm, addDecayedWeights(o.weight_decay), direction, lr);
  },
});
