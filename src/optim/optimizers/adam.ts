/**
 * Adam and AdamW with torch semantics (torch/optim/adam.py, adamw.py):
 *   adam:  g = g + wd·p (coupled L2), then the Adam direction
 *   adamw: p = p·(1 − lr·wd) (decoupled, scaled by lr), then the Adam direction;
 *          decay_scaled_by_lr false: p = p − η_t·wd·p with η_t = lr_t/lr (Loshchilov & Hutter Alg. 2:
 *          the decay follows the schedule multiplier only, not the step size α = lr)
 *   direction: m/(sqrt(v)/sqrt(1 − β2^t) + eps) · lr/(1 − β1^t)   (eps after the bias-corrected sqrt)
 *   amsgrad:   v_max = max(v_max, v) in place of v in the denominator (torch keeps the max of the raw v)
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { fusedAdam } from '../fused/adam.js';
import type { Hyper } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { addScheduledDecay } from '../transforms/add-scheduled-decay.js';
import { scaleByAdam } from '../transforms/scale-by-adam.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

const fields = {
  lr: lrOption(1e-3),
  betas: betasOption(0.9, 0.999),
  eps: z.number().min(0).default(1e-8).describe('added to sqrt(v̂) (torch placement)'),
  amsgrad: z.boolean().default(false).describe('AMSGrad (Reddi et al. 2018): the running maximum of v in the denominator (torch amsgrad)'),
  ...clipOption,
};

export const adam = defineOptimizer({
  name: 'adam',
  summary: 'Adam with coupled L2 weight decay (torch.optim.Adam semantics)',
  schema: z.strictObject({ ...fields, weight_decay: z.number().min(0).default(0).describe('coupled L2: g ← g + wd·p before the moments') }),
  gradEvals: 1,
  info: { source: 'pytorch/pytorch torch/optim/adam.py' },
  schedulable: ['beta1', 'weight_decay'],
  create: (o, _deps, h) => clipped(o.clip_grad_norm, addDecayedWeights(h.weight_decay!), scaleByAdam(o.betas, o.eps, o.amsgrad, h.beta1!), scaleByLearningRate({ value: o.lr })),
  // the fused kernel has no running maximum: AMSGrad runs the composite
  fused: (o, composite) => (o.amsgrad ? undefined : fusedAdam(o, false, composite)),
});

export const adamw = defineOptimizer({
  name: 'adamw',
  summary: 'AdamW: Adam with decoupled weight decay scaled by lr (torch.optim.AdamW semantics)',
  schema: z.strictObject({
    ...fields,
    weight_decay: z.number().min(0).default(1e-2).describe('decoupled: p ← p·(1 − lr·wd) (or p − η_t·wd·p, see decay_scaled_by_lr)'),
    decay_scaled_by_lr: z.boolean().default(true).describe('true: torch convention p·(1 − lr·wd); false: the paper\'s Algorithm 2, p − η_t·wd·p with η_t = lr_t/lr the schedule multiplier (λ_paper = lr·wd_torch)'),
  }),
  gradEvals: 1,
  info: { source: 'pytorch/pytorch torch/optim/adamw.py; decay_scaled_by_lr false: loshchil/AdamW-and-SGDW (Alg. 2)' },
  schedulable: ['beta1', 'weight_decay'],
  create(o, _deps, h) {
    const lr: Hyper = { value: o.lr };
    const adamDir = scaleByAdam(o.betas, o.eps, o.amsgrad, h.beta1!);
    if (o.decay_scaled_by_lr) return clipped(o.clip_grad_norm, adamDir, addDecayedWeights(h.weight_decay!), scaleByLearningRate(lr));
    return clipped(o.clip_grad_norm, adamDir, scaleByLearningRate(lr), addScheduledDecay(h.weight_decay!, lr, o.lr));
  },
  // the fused kernel has neither the running maximum nor the schedule-scaled decay: those run the composite
  fused: (o, composite) => (o.amsgrad || !o.decay_scaled_by_lr ? undefined : fusedAdam(o, true, composite)),
});
