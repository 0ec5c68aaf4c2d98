/**
 * SGD with torch semantics (torch/optim/sgd.py) and SGDW (decoupled decay, Loshchilov & Hutter).
 *   sgd:  d = g + wd·p;  buf = d (first step) | momentum·buf + (1 − dampening)·d;  d = nesterov ? d + momentum·buf : buf;  p −= lr·d
 *   sgdw: p −= lr·wd·p (decay_scaled_by_lr, torch convention) or wd·p (paper convention, η = 1);  then the momentum step without wd
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { fusedSgd } from '../fused/sgd.js';
import { stateless, type Hyper } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { trace } from '../transforms/trace.js';

const momentumFields = {
  lr: lrOption(1e-3),
  momentum: z.number().min(0).default(0).describe('momentum factor (torch SGD)'),
  dampening: z.number().min(0).max(1).default(0).describe('dampening for momentum; not applied on the first step (torch)'),
  nesterov: z.boolean().default(false).describe('Nesterov momentum; needs momentum > 0 and dampening = 0'),
  ...clipOption,
};

function nesterovRule(o: { nesterov: boolean; momentum: number; dampening: number }, ctx: z.RefinementCtx): void {
  if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
    ctx.addIssue({ code: 'custom', path: ['nesterov'], message: 'Nesterov momentum requires momentum > 0 and dampening = 0 (as torch.optim.SGD)' });
  }
}

const sgdSchema = z
  .strictObject({ ...momentumFields, weight_decay: z.number().min(0).default(0).describe('coupled L2: added to the gradient before momentum') })
  .superRefine(nesterovRule);

export const sgd = defineOptimizer({
  name: 'sgd',
  summary: 'SGD with momentum, dampening, Nesterov and coupled weight decay (torch.optim.SGD semantics)',
  schema: sgdSchema,
  gradEvals: 1,
  info: { source: 'pytorch/pytorch torch/optim/sgd.py' },
  schedulable: ['momentum', 'weight_decay'],
  create: (o, _deps, h) => clipped(o.clip_grad_norm, addDecayedWeights(h.weight_decay!), trace({ ...o, momentum: h.momentum! }), scaleByLearningRate({ value: o.lr })),
  fused: (o, composite) => fusedSgd(o, o.weight_decay === 0 ? 'none' : 'coupled', composite),
});

const sgdwSchema = z
  .strictObject({
    ...momentumFields,
    weight_decay: z.number().min(0).default(0).describe('decoupled decay: p ← p − lr·wd·p (or wd·p, see decay_scaled_by_lr)'),
    decay_scaled_by_lr: z.boolean().default(true).describe('true: torch convention p·(1 − lr·wd); false: paper convention with η = 1, p·(1 − wd)'),
  })
  .superRefine(nesterovRule);

export const sgdw = defineOptimizer({
  name: 'sgdw',
  summary: 'SGD with decoupled weight decay (Loshchilov & Hutter), torch-style momentum',
  schema: sgdwSchema,
  gradEvals: 1,
  info: { source: 'loshchil/AdamW-and-SGDW (Alg. 1), torch SGD momentum' },
  schedulable: ['momentum', 'weight_decay'],
  create(o, _deps, h) {
    const lr: Hyper = { value: o.lr };
    const momentum = trace({ ...o, momentum: h.momentum! });
    if (o.decay_scaled_by_lr) return clipped(o.clip_grad_norm, momentum, addDecayedWeights(h.weight_decay!), scaleByLearningRate(lr));
    const unscaledDecay = stateless('decay', (u, params, ctx) => {
      const wd = h.weight_decay!.value;
      return wd === 0 ? u : u.map((x, i) => (ctx.params[i]?.decay === false ? x : tf.sub(x, tf.mul(params[i]!, wd))));
    });
    return clipped(o.clip_grad_norm, momentum, scaleByLearningRate(lr), unscaledDecay);
  },
  fused: (o, composite) => fusedSgd(o, o.weight_decay === 0 ? 'none' : o.decay_scaled_by_lr ? 'decoupled' : 'after_lr', composite),
});
