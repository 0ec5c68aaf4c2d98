/**
 * D-Adaptation (Defazio & Mishchenko 2023), official facebookresearch/dadaptation (c984980):
 * `dadapt_adam.py` (DAdaptAdam) and `dadapt_sgd.py` (DAdaptSGD), with the rules in
 * transforms/scale-by-dadapt.ts. Defaults are the code's (lr 1, d0 1e-6, growth ∞; Adam: coupled
 * decay unless `decouple`, no bias correction; SGD: momentum 0).
 * Paper vs code: the paper's Algorithms 1 and 3 are these rules; the code's `layer_scale` (fixed
 * at 1 here), `log_every` and `fsdp_in_use` are not offered. One d couples every tensor, so the
 * group options keep their defaults, as the code rejects per-group learning rates.
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { scaleByDadaptAdam, scaleByDadaptSgd } from '../transforms/scale-by-dadapt.js';
import { d0Option, growthRateOption } from './prodigy.js';

const fixedGroups = 'adapts one step size d for every tensor (the code rejects per-group learning rates)';

export const dadaptAdam = defineOptimizer({
  name: 'dadapt-adam',
  summary: 'D-Adapt Adam: learning-rate-free Adam, d from the dual averages (facebookresearch/dadaptation)',
  schema: z.strictObject({
    lr: lrOption(1).describe('multiplies the estimated step size d (1 = learning-rate free; schedules scale it)'),
    betas: betasOption(0.9, 0.999),
    eps: z.number().positive().default(1e-8).describe('added to sqrt(v)'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2 (code default) or decoupled with decouple'),
    decouple: z.boolean().default(false).describe('AdamW-style decay p ← p − wd·d·lr·p'),
    use_bias_correction: z.boolean().default(false).describe('scale d·lr by sqrt(1 − β2^k)/(1 − β1^k)'),
    d0: d0Option,
    growth_rate: growthRateOption,
    ...clipOption,
  }),
  gradEvals: 1,
  fixedGroups,
  info: { source: 'facebookresearch/dadaptation dadaptation/dadapt_adam.py', paper: 'Defazio & Mishchenko 2023, Learning-Rate-Free Learning by D-Adaptation' },
  create: (o) => clipped(o.clip_grad_norm, scaleByDadaptAdam({ value: o.lr }, o)),
});

export const dadaptSgd = defineOptimizer({
  name: 'dadapt-sgd',
  summary: 'D-Adapt SGD: learning-rate-free dual averaging with momentum (facebookresearch/dadaptation)',
  schema: z.strictObject({
    lr: lrOption(1).describe('multiplies the estimated step size d (1 = learning-rate free; schedules scale it)'),
    momentum: z.number().min(0).lt(1).default(0).describe('p ← momentum·p + (1 − momentum)·(x0 − s)'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2 added to the gradient'),
    d0: d0Option,
    growth_rate: growthRateOption,
    ...clipOption,
  }),
  gradEvals: 1,
  fixedGroups,
  info: { source: 'facebookresearch/dadaptation dadaptation/dadapt_sgd.py', paper: 'Defazio & Mishchenko 2023, Learning-Rate-Free Learning by D-Adaptation' },
  create: (o) => clipped(o.clip_grad_norm, scaleByDadaptSgd({ value: o.lr }, o)),
});
