/**
 * LAMB (You et al. 2020), following the reference PyTorch code cybertronai/pytorch-lamb
 * `pytorch_lamb/lamb.py` (d3ab8dc), the catalogue's reference (the authors released no PyTorch code):
 *   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  r = m/(sqrt(v) + eps) + wd·p
 *   p −= lr·min(‖p‖, 10)/‖r‖·r     (trust ratio 1 when either norm is 0)
 * Paper vs code: the paper's Algorithm 2 corrects the moments' bias (`bias_correction: true`, as
 * timm's Lamb, which has no clamp: `clamp_value: null`); the code does not ("Paper v3 does not use
 * debiasing"). φ is the clamp min(‖p‖, 10) of the code (the paper allows any φ with bounds).
 * Biases and normalisation parameters are excluded from adaptation and decay by role and rank
 * (`exclude_bias_and_norm`, BERT's and timm's practice; the reference code adapts whatever
 * parameter group it is given). Per-group masks by name are the procedures branch's weight-decay masks.
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { scaleByLamb } from '../transforms/scale-by-lamb.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

export const lamb = defineOptimizer({
  name: 'lamb',
  summary: 'LAMB: Adam-type steps rescaled per tensor by the trust ratio ‖p‖/‖r‖ (cybertronai/pytorch-lamb)',
  schema: z.strictObject({
    lr: lrOption(1e-3),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-6).describe('added to sqrt(v)'),
    weight_decay: z.number().min(0).default(0).describe('added to the Adam-type step before its norm: r + wd·p'),
    bias_correction: z.boolean().default(false).describe('the paper\'s bias-corrected moments (Alg. 2, timm); the reference code has none'),
    clamp_value: z.number().positive().nullable().default(10).describe('φ(‖p‖) = min(‖p‖, clamp_value) (reference code: 10); null = no clamp (timm)'),
    exclude_bias_and_norm: z.boolean().default(true).describe('biases and rank-1 tensors (normalisation) take the plain step: no trust ratio, no decay'),
    ...clipOption,
  }),
  gradEvals: 1,
  fixedGroups: "decays inside each tensor's trust ratio (biases and norm scales excluded by role)",
  info: { source: 'cybertronai/pytorch-lamb pytorch_lamb/lamb.py', paper: 'You et al. 2020, Large Batch Optimization for Deep Learning' },
  create: (o) => clipped(o.clip_grad_norm, scaleByLamb(o), scaleByLearningRate({ value: o.lr })),
});
