/**
 * RMSprop with torch semantics (torch/optim/rmsprop.py `_single_tensor_rmsprop`, torch 2.13):
 *   g = g + wd·p;  v = α·v + (1 − α)·g²;  avg = sqrt(v − m²) + eps (centered, m = lerp(m, g, 1 − α)) or sqrt(v) + eps
 *   momentum > 0: buf = momentum·buf + g/avg, p −= lr·buf;  else p −= lr·g/avg
 * Hinton's lecture 6e has no eps and no centring; the centred form is Graves 2013 (eq. 38–40).
 * torch's eps is outside the root (TF and optax put it inside: `eps_in_sqrt`), so the two differ for g² ≲ eps.
 */
import { z } from 'zod';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByRms } from '../transforms/scale-by-rms.js';
import { trace } from '../transforms/trace.js';

export const rmsprop = defineOptimizer({
  name: 'rmsprop',
  summary: 'RMSprop with optional centring and momentum (torch.optim.RMSprop semantics)',
  schema: z.strictObject({
    lr: lrOption(1e-2),
    alpha: z.number().min(0).lt(1).default(0.99).describe('smoothing constant of the squared-gradient average'),
    eps: z.number().min(0).default(1e-8).describe('added to sqrt(v) (outside the root, torch placement)'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2: g ← g + wd·p'),
    momentum: z.number().min(0).default(0).describe('momentum on the normalised step: buf = momentum·buf + g/avg'),
    centered: z.boolean().default(false).describe('normalise by an estimate of the variance, v − m² (Graves 2013)'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'pytorch/pytorch torch/optim/rmsprop.py', paper: 'Tieleman & Hinton 2012, lecture 6e; Graves 2013 (centered)' },
  schedulable: ['momentum', 'weight_decay'],
  // torch's `buf.mul_(momentum).addcdiv_(g, avg)` from a zero buffer is SGD's momentum buffer without dampening
  create: (o, _deps, h) => clipped(
    o.clip_grad_norm,
    addDecayedWeights(h.weight_decay!),
    scaleByRms(o.alpha, o.eps, o.centered),
    trace({ momentum: h.momentum!, dampening: 0, nesterov: false }),
    scaleByLearningRate({ value: o.lr }),
  ),
});
