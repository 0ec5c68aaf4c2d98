/**
 * Adan (Xie et al. 2022), official sail-sg/Adan `adan.py` (2c65bea): Nesterov-type momentum from a
 * moving average of gradient differences (transforms/scale-by-adan.ts has the rule).
 * Paper vs code: the paper's Algorithm 1 is written with 1 − β (0.02, 0.08, 0.01); the code's betas
 * weight the old averages (0.98, 0.92, 0.99) and are the names here. Both decay forms are the
 * code's: proximal p/(1 + lr·wd) (default, the paper's) and `no_prox` p·(1 − lr·wd). The paper's
 * restart condition is not in the code's step (`restart_opt` is a manual call) and is not offered.
 * `max_grad_norm` is Adan's own global clip min(max/(‖g‖ + eps), 1) (0 = off, the default);
 * `clip_grad_norm` is minima's torch-style clip before it.
 */
import { z } from 'zod';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { scaleByAdan } from '../transforms/scale-by-adan.js';

const beta = z.number().min(0).lt(1);

export const adan = defineOptimizer({
  name: 'adan',
  summary: 'Adan: adaptive Nesterov momentum from gradient differences, proximal decay (sail-sg/Adan)',
  schema: z.strictObject({
    lr: lrOption(1e-3),
    betas: z.tuple([beta, beta, beta]).default([0.98, 0.92, 0.99]).describe('(β1, β2, β3): weights of the old gradient, difference and second-moment averages (code convention)'),
    eps: z.number().min(0).default(1e-8).describe('added to sqrt(n̂), and to ‖g‖ in max_grad_norm'),
    weight_decay: z.number().min(0).default(0).describe('decoupled decay: proximal p/(1 + lr·wd) after the step, or p·(1 − lr·wd) before with no_prox'),
    no_prox: z.boolean().default(false).describe('p·(1 − lr·wd) before the step instead of the proximal division after it'),
    max_grad_norm: z.number().min(0).default(0).describe("Adan's own global clip: g·min(max/(‖g‖ + eps), 1); 0 = off"),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'sail-sg/Adan adan.py', paper: 'Xie et al. 2022, Adan: Adaptive Nesterov Momentum Algorithm' },
  create: (o) => clipped(o.clip_grad_norm, scaleByAdan({ value: o.lr }, o)),
});
