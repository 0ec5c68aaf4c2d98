/**
 * Prodigy (Mishchenko & Defazio 2023), official konstmish/prodigy `prodigyopt/prodigy.py` (3efb213):
 * Adam whose step size d is estimated online from <g, p0 − p> (transforms/scale-by-prodigy.ts).
 * Defaults are the code's (lr 1, β3 = sqrt(β2), decoupled decay, no bias correction, d0 1e-6).
 * Paper vs code: the paper's Algorithm 4 (Adam form) has the same estimator; the code adds
 * `d_coef`, `growth_rate`, `safeguard_warmup` and `use_bias_correction`, all offered. `slice_p`
 * (estimating d on every p-th element) is fixed at the default 1. One d couples every tensor, and
 * the code rejects per-group learning rates other than 0: the group options keep their defaults.
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { scaleByProdigy } from '../transforms/scale-by-prodigy.js';

export const growthRateOption = z.number().positive().nullable().default(null).describe('cap d ← min(d, d·growth_rate) per step; null = ∞ (the code default)');
export const d0Option = z.number().positive().default(1e-6).describe('initial estimate d0 of the distance to the solution');

export const prodigy = defineOptimizer({
  name: 'prodigy',
  summary: 'Prodigy: learning-rate-free Adam, d estimated from <g, p0 − p> (konstmish/prodigy)',
  schema: z.strictObject({
    lr: lrOption(1).describe('multiplies the estimated step size d (1 = learning-rate free; schedules scale it)'),
    betas: betasOption(0.9, 0.999),
    beta3: z.number().min(0).lt(1).nullable().default(null).describe('decay of the d estimator\'s averages; null = sqrt(β2)'),
    eps: z.number().positive().default(1e-8).describe('added to sqrt(v) as d·eps'),
    weight_decay: z.number().min(0).default(0).describe('decoupled (p ← p − wd·d·lr·p) or, with decouple false, coupled L2'),
    decouple: z.boolean().default(true).describe('AdamW-style decay (code default); false adds wd·p to the gradient'),
    use_bias_correction: z.boolean().default(false).describe('scale d·lr by sqrt(1 − β2^k)/(1 − β1^k)'),
    safeguard_warmup: z.boolean().default(false).describe('leave lr out of the d estimator\'s denominator (for warmup schedules)'),
    d0: d0Option,
    d_coef: z.number().positive().default(1).describe('multiplies the estimated d'),
    growth_rate: growthRateOption,
    ...clipOption,
  }),
  gradEvals: 1,
  fixedGroups: 'adapts one step size d for every tensor (the code rejects per-group learning rates)',
  info: { source: 'konstmish/prodigy prodigyopt/prodigy.py', paper: 'Mishchenko & Defazio 2023, Prodigy: An Expeditiously Adaptive Parameter-Free Learner' },
  create: (o) => clipped(o.clip_grad_norm, scaleByProdigy({ value: o.lr }, o)),
});
