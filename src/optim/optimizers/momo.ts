/**
 * MoMo and MoMo-Adam, official fabian-sp/MoMo `momo/momo.py`, `momo/momo_adam.py` (0553c78): SGD/Adam
 * with a Polyak-type step size from a model of the loss (transforms/scale-by-momo.ts has the rule).
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { fusedMomo, fusedMomoAdam } from '../fused/momo.js';
import { scaleByMomo, scaleByMomoAdam } from '../transforms/scale-by-momo.js';

const lbOption = z.number().default(0).describe('lower bound of the loss (0 for non-negative losses)');
const fstarOption = z.boolean().default(false).describe('estimate the lower bound online (resets and updates lb)');

export const momo = defineOptimizer({
  name: 'momo',
  summary: 'MoMo: SGD with momentum and a Polyak-type adaptive step size (needs the loss value)',
  schema: z.strictObject({
    lr: lrOption(1),
    beta: z.number().min(0).lt(1).default(0.9).describe('momentum (EMA) coefficient'),
    lb: lbOption,
    weight_decay: z.number().min(0).default(0).describe('λ: proximal decay p ← (p − tau·d)/(1 + lr·λ)'),
    bias_correction: z.boolean().default(false).describe('start the averages at 0 and correct by 1 − β^k'),
    use_fstar: fstarOption,
    ...clipOption,
  }),
  gradEvals: 1,
  info: { needsLoss: true, source: 'fabian-sp/MoMo momo/momo.py' },
  fixedGroups: 'couples every tensor in one step size',
  create: (o) => clipped(o.clip_grad_norm, scaleByMomo({ value: o.lr }, o)),
  fused: fusedMomo,
});

export const momoAdam = defineOptimizer({
  name: 'momo-adam',
  summary: 'MoMo-Adam: Adam with a Polyak-type adaptive step size (needs the loss value)',
  schema: z.strictObject({
    lr: lrOption(1e-2),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-8).describe('added to sqrt(v̂)'),
    lb: lbOption,
    weight_decay: z.number().min(0).default(0).describe('λ'),
    divide: z.boolean().default(true).describe('true: proximal p/(1 + lr·λ) after the step; false: AdamW-style p·(1 − lr·λ) before'),
    use_fstar: fstarOption,
    ...clipOption,
  }),
  gradEvals: 1,
  info: { needsLoss: true, source: 'fabian-sp/MoMo momo/momo_adam.py' },
  fixedGroups: 'couples every tensor in one step size',
  create: (o) => clipped(o.clip_grad_norm, scaleByMomoAdam({ value: o.lr }, o)),
  fused: fusedMomoAdam,
});
