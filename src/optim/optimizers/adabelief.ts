/**
 * AdaBelief (Zhuang et al. 2020), official juntang-zhuang/Adabelief-Optimizer, the package
 * adabelief_pytorch 0.2.1 (`pypi_packages/adabelief_pytorch0.2.1/adabelief_pytorch/AdaBelief.py`, 2855178):
 *   decay: p ← p·(1 − lr·wd) (weight_decouple, default), p·(1 − wd) (fixed_decay), or g + wd·p (coupled)
 *   m = β1·m + (1 − β1)·g;  s = β2·s + (1 − β2)·(g − m)² + eps;  then the RAdam-rectified step (rectify, default)
 *   or the Adam-type m̂/(sqrt(ŝ) + eps).
 * Paper vs code: the paper's Algorithm 2 adds eps to s once per step as here, but has no
 * rectification and no decoupled decay; these are the package's 0.2 defaults (rectify: false,
 * weight_decouple: false give the paper's form). eps 1e-16 is the package default (the paper: 1e-8
 * for image tasks). `amsgrad` is not offered.
 */
import { z } from 'zod';
import * as tf from '../../backends/tf.js';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { stateless, type Hyper } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdabelief } from '../transforms/scale-by-adabelief.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

export const adabelief = defineOptimizer({
  name: 'adabelief',
  summary: 'AdaBelief: Adam with the EMA of (g − m)² in the denominator, RAdam-rectified (juntang-zhuang/Adabelief-Optimizer 0.2.1)',
  schema: z.strictObject({
    lr: lrOption(1e-3),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-16).describe('added to s every step and to sqrt(s)'),
    weight_decay: z.number().min(0).default(0).describe('decoupled (weight_decouple) or coupled L2'),
    weight_decouple: z.boolean().default(true).describe('p ← p·(1 − lr·wd) (AdamW-style); false: g ← g + wd·p'),
    fixed_decay: z.boolean().default(false).describe('with weight_decouple: p ← p·(1 − wd), not scaled by lr'),
    rectify: z.boolean().default(true).describe('RAdam rectification (package 0.2 default); false: the paper\'s Adam-type step'),
    degenerated_to_sgd: z.boolean().default(true).describe('while N_t < 5: an SGD-momentum step m/(1 − β1^t) (false: no step)'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'juntang-zhuang/Adabelief-Optimizer pypi_packages/adabelief_pytorch0.2.1/adabelief_pytorch/AdaBelief.py', paper: 'Zhuang et al. 2020, AdaBelief' },
  create(o) {
    const lr: Hyper = { value: o.lr };
    const direction = scaleByAdabelief(o);
    if (!o.weight_decouple) return clipped(o.clip_grad_norm, addDecayedWeights(o.weight_decay), direction, scaleByLearningRate(lr));
    if (!o.fixed_decay) return clipped(o.clip_grad_norm, direction, addDecayedWeights(o.weight_decay), scaleByLearningRate(lr));
    const fixed = stateless('decay', (u, params) => (o.weight_decay === 0 ? u : u.map((x, i) => tf.sub(x, tf.mul(params[i]!, o.weight_decay)))));
    return clipped(o.clip_grad_norm, direction, scaleByLearningRate(lr), fixed);
  },
});
