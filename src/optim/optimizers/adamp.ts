/**
 * AdamP and SGDP (Heo et al. 2021), official clovaai/AdamP `adamp/adamp.py`, `adamp/sgdp.py` (7f6f038):
 * the Adam / SGD step with its radial component removed on scale-invariant weights — where the
 * gradient is nearly orthogonal to the weight (max |cos| < δ/sqrt(dim), per output channel, else per
 * tensor), the update is projected onto the tangent space and the weight decay is scaled by wd_ratio.
 *   AdamP: p ← p·(1 − lr·wd·r) − lr/(1 − β1^t)·Π(m/(sqrt(v)/sqrt(1 − β2^t) + eps))
 *   SGDP:  buf = momentum·buf + (1 − dampening)·g;  p ← p·(1 − lr·wd·r/(1 − momentum)) − lr·Π(d)
 * Only tensors of rank > 1 are tested. The official channel axis is dim 0 of torch's [out, in, …];
 * minima's kernels keep the output channel LAST, and that axis is used (transforms/project-scale-invariant.ts).
 * Differences from torch SGD: SGDP's buffer starts at 0 with no first-step copy, and its decay is
 * divided by (1 − momentum). Without Nesterov the official in-place projection also projects the
 * momentum buffer (the paper's Algorithm 2 projects the step only); the code is followed. SGDP has
 * no default lr (`required`); 1e-3 as torch SGD here.
 */
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { scaleByAdamp } from '../transforms/scale-by-adamp.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleBySgdp } from '../transforms/scale-by-sgdp.js';

const projectionFields = {
  delta: z.number().min(0).default(0.1).describe('δ: project when max |cos(g, p)| < δ/sqrt(dim)'),
  wd_ratio: z.number().min(0).default(0.1).describe('weight decay multiplier on the projected tensors'),
};

export const adamp = defineOptimizer({
  name: 'adamp',
  summary: 'AdamP: Adam without the radial update on scale-invariant weights (clovaai/AdamP)',
  schema: z.strictObject({
    lr: lrOption(1e-3),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-8).describe('added to the bias-corrected sqrt(v); also the cosine and norm guard'),
    weight_decay: z.number().min(0).default(0).describe('decoupled: p ← p·(1 − lr·wd·r)'),
    ...projectionFields,
    nesterov: z.boolean().default(false).describe('use β1·m + (1 − β1)·g in the numerator'),
    ...clipOption,
  }),
  gradEvals: 1,
  fixedGroups: "projects and decays each tensor inside its own step (AdamP's wd_ratio)",
  info: { source: 'clovaai/AdamP adamp/adamp.py', paper: 'Heo et al. 2021, AdamP' },
  create: (o) => clipped(o.clip_grad_norm, scaleByAdamp(o), scaleByLearningRate({ value: o.lr })),
});

export const sgdp = defineOptimizer({
  name: 'sgdp',
  summary: 'SGDP: SGD without the radial update on scale-invariant weights (clovaai/AdamP)',
  schema: z
    .strictObject({
      lr: lrOption(1e-3),
      momentum: z.number().min(0).lt(1).default(0).describe('momentum factor; the buffer starts at 0'),
      dampening: z.number().min(0).max(1).default(0).describe('dampening, applied from the first step'),
      weight_decay: z.number().min(0).default(0).describe('decoupled: p ← p·(1 − lr·wd·r/(1 − momentum))'),
      nesterov: z.boolean().default(false).describe('d = g + momentum·buf'),
      eps: z.number().min(0).default(1e-8).describe('cosine and norm guard'),
      ...projectionFields,
      ...clipOption,
    }),
  gradEvals: 1,
  fixedGroups: "projects and decays each tensor inside its own step (AdamP's wd_ratio)",
  info: { source: 'clovaai/AdamP adamp/sgdp.py', paper: 'Heo et al. 2021, AdamP' },
  create: (o) => clipped(o.clip_grad_norm, scaleBySgdp(o), scaleByLearningRate({ value: o.lr })),
});
