/**
 * LARS (You, Gitman & Ginsburg 2017) with LARC's clipping, following timm `timm/optim/lars.py`
 * (after NVIDIA apex `LARC.py`; the authors' code is not PyTorch):
 *   adapted tensors: τ = trust_coeff·‖p‖/(‖g‖ + wd·‖p‖ + eps) (1 when a norm is 0), trust_clip: min(τ/lr, 1)
 *                    g' = (g + wd·p)·τ
 *   then torch SGD momentum on g' (first step copies), p −= lr·g'
 * Paper vs code: the paper's local lr is η·‖p‖/(‖g‖ + wd‖p‖) inside the global schedule, as here;
 * timm adapts only parameter groups with weight decay unless always_adapt. Biases and normalisation
 * parameters (role/rank, layer-adaptation.ts) are neither adapted nor decayed, as timm's no-decay groups.
 */
import { z } from 'zod';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import type { Hyper } from '../transform.js';
import { scaleByLars } from '../transforms/scale-by-lars.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { trace } from '../transforms/trace.js';

export const lars = defineOptimizer({
  name: 'lars',
  summary: 'LARS/LARC: SGD with a per-tensor trust ratio ‖p‖/(‖g‖ + wd‖p‖) (timm Lars)',
  schema: z
    .strictObject({
      lr: lrOption(1),
      momentum: z.number().min(0).default(0).describe('momentum factor (torch SGD buffer)'),
      dampening: z.number().min(0).max(1).default(0).describe('dampening for momentum; not applied on the first step'),
      weight_decay: z.number().min(0).default(0).describe('L2 added to the gradient before the trust ratio; adaptation needs wd ≠ 0 or always_adapt'),
      nesterov: z.boolean().default(false).describe('Nesterov momentum; needs momentum > 0 and dampening = 0'),
      trust_coeff: z.number().positive().default(1e-3).describe('η of the trust ratio'),
      eps: z.number().min(0).default(1e-8).describe('added to the trust ratio\'s denominator'),
      trust_clip: z.boolean().default(false).describe('LARC clipping: τ ← min(τ/lr, 1)'),
      always_adapt: z.boolean().default(false).describe('adapt even with weight_decay 0 (timm)'),
      exclude_bias_and_norm: z.boolean().default(true).describe('biases and rank-1 tensors (normalisation): no trust ratio, no decay'),
      ...clipOption,
    })
    .superRefine((o, ctx) => {
      if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
        ctx.addIssue({ code: 'custom', path: ['nesterov'], message: 'Nesterov momentum requires momentum > 0 and dampening = 0 (as timm Lars)' });
      }
    }),
  gradEvals: 1,
  fixedGroups: "decays inside each tensor's trust ratio (biases and norm scales excluded by role)",
  info: { source: 'huggingface/pytorch-image-models timm/optim/lars.py', paper: 'You, Gitman & Ginsburg 2017, Large Batch Training of Convolutional Networks' },
  create(o) {
    const lr: Hyper = { value: o.lr };
    return clipped(o.clip_grad_norm, scaleByLars(lr, o), trace(o), scaleByLearningRate(lr));
  },
});
