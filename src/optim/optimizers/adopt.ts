/**
 * ADOPT (Taniguchi et al. 2024), official iShohei220/adopt `src/adopt/adopt.py` (6468572):
 *   t = 0: v = g² and no step;  t ≥ 1: n = g/max(sqrt(v), eps), clamp(n, ±t^¼);  m = lerp(m, n, 1 − β1);
 *          p −= lr·m (decoupled: p −= lr·wd·p first);  v = β2·v + (1 − β2)·g²
 * Coupled decay (default) adds wd·p to g before everything, including the first step's v.
 * Paper vs code: the paper's Algorithm 1 has no clipping; clip_lambda = step^0.25 is the code's
 * default since its revision for stability (`clip_exponent: null` gives the paper's form).
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdopt } from '../transforms/scale-by-adopt.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

export const adopt = defineOptimizer({
  name: 'adopt',
  summary: 'ADOPT: Adam-type steps normalised by the second moment of the PREVIOUS steps, momentum after normalising (iShohei220/adopt)',
  schema: z.strictObject({
    lr: lrOption(1e-3),
    betas: betasOption(0.9, 0.9999),
    eps: z.number().min(0).default(1e-6).describe('lower bound of sqrt(v) (torch.clamp, not added)'),
    clip_exponent: z.number().min(0).nullable().default(0.25).describe('clip the normalised gradient to ±t^clip_exponent (code default t^0.25); null = no clipping (paper)'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2 (g ← g + wd·p), or decoupled with decouple'),
    decouple: z.boolean().default(false).describe('decoupled decay p ← p − lr·wd·p (AdamW-style), skipped on the first step as the official code'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'iShohei220/adopt src/adopt/adopt.py', paper: 'Taniguchi et al. 2024, ADOPT' },
  create(o) {
    const direction = scaleByAdopt({ betas: o.betas, eps: o.eps, clip_exponent: o.clip_exponent, decoupled_weight_decay: o.decouple ? o.weight_decay : 0 });
    const lr = scaleByLearningRate({ value: o.lr });
    return o.decouple ? clipped(o.clip_grad_norm, direction, lr) : clipped(o.clip_grad_norm, addDecayedWeights(o.weight_decay), direction, lr);
  },
});
