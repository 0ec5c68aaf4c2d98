/**
 * Schedule-free SGD and AdamW (Defazio et al. 2024), official facebookresearch/schedule_free
 * `schedulefree/sgd_schedulefree.py` (SGDScheduleFree) and `adamw_schedulefree.py`
 * (AdamWScheduleFree), 70785b5: the parameters hold the gradient point y, the state the base
 * sequence z, and the run evaluates the average x = lerp(y, z, 1 − 1/β) as rows `test_x.*` /
 * `train_x.*` (src/train/parameter-sets.ts; the code's `optimizer.eval()`), with BatchNorm
 * statistics recomputed at x. No lr schedule is needed; warmup is `warmup_steps` (a minima
 * schedule still multiplies lr, as a torch scheduler would).
 * Defaults are the code's (SGD: lr 1, momentum 0.9; AdamW: lr 0.0025, betas (0.9, 0.999), eps
 * 1e-8; both: warmup 0, r 0, weight_lr_power 2). Weight decay is evaluated at y, as the code
 * (the paper's Algorithm 1 decays at y as well). The code's `foreach` path and the loop agree.
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { scheduleFree } from '../transforms/schedule-free.js';

const common = {
  weight_decay: z.number().min(0).default(0).describe('coupled L2 at y, added to the step direction'),
  warmup_steps: z.number().int().min(0).default(0).describe('linear warmup lr·(k+1)/warmup_steps'),
  r: z.number().min(0).default(0).describe('polynomial weighting (k+1)^r of the average'),
  weight_lr_power: z.number().min(0).default(2).describe('average weights ∝ lr_max^weight_lr_power (warmup-aware weighting)'),
};

export const scheduleFreeSgd = defineOptimizer({
  name: 'schedule-free-sgd',
  summary: 'Schedule-free SGD: gradients at y = (1 − β)z + βx, evaluation at the average x (facebookresearch/schedule_free)',
  schema: z.strictObject({
    lr: lrOption(1),
    momentum: z.number().gt(0).lt(1).default(0.9).describe('β: interpolation y = (1 − β)z + βx, in (0, 1)'),
    ...common,
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'facebookresearch/schedule_free schedulefree/sgd_schedulefree.py', paper: 'Defazio et al. 2024, The Road Less Scheduled', evaluates: 'x (rows test_x.*)' },
  create: (o) => clipped(o.clip_grad_norm, scheduleFree({ value: o.lr }, { kind: 'sgd', beta: o.momentum, beta2: 0, eps: 0, inner_momentum: 0, ...o })),
});

export const scheduleFreeAdamw = defineOptimizer({
  name: 'schedule-free-adamw',
  summary: 'Schedule-free AdamW: Adam-normalised steps at y, evaluation at the average x (facebookresearch/schedule_free)',
  schema: z.strictObject({
    lr: lrOption(0.0025),
    betas: betasOption(0.9, 0.999).describe('(β1, β2): β1 interpolates y = (1 − β1)z + β1·x, β2 decays the second moment'),
    eps: z.number().min(0).default(1e-8).describe('added to sqrt(v̂)'),
    inner_momentum: z.number().min(0).lt(1).default(0).describe('an extra EMA of g before the normalisation (code option, 0 = off)'),
    ...common,
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'facebookresearch/schedule_free schedulefree/adamw_schedulefree.py', paper: 'Defazio et al. 2024, The Road Less Scheduled', evaluates: 'x (rows test_x.*)' },
  create: (o) => clipped(o.clip_grad_norm, scheduleFree({ value: o.lr }, { kind: 'adamw', beta: o.betas[0], beta2: o.betas[1], ...o })),
});
