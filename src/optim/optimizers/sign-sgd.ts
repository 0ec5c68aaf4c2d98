/**
 * signSGD and Signum (Bernstein et al. 2018), as the authors implemented them in MXNet
 * (apache/mxnet python/mxnet/optimizer/signum.py; `signsgd_update`/`signum_update` in
 * src/operator/optimizer_op-inl.h), the implementation the paper's code release points to:
 *   g' = g + wd·w;  signum: m = momentum·m + (1 − momentum)·g', w = (1 − lr·wd_lh)·w − lr·sign(m)
 *                   sign-sgd:                                   w = (1 − lr·wd_lh)·w − lr·sign(g')
 * MXNet's Signum defaults: lr 0.01, momentum 0.9, wd_lh 0 (its `wd` defaults to 0 too). The
 * paper's momentum is the same EMA from m = 0 (no bias correction, no first-step copy).
 */
import { z } from 'zod';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { ema } from '../transforms/ema.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleBySign } from '../transforms/scale-by-sign.js';

const decayFields = {
  weight_decay: z.number().min(0).default(0).describe('coupled L2 added to the gradient before the sign (MXNet wd)'),
  wd_lh: z.number().min(0).default(0).describe('decoupled decay outside the sign: w ← w − lr·wd_lh·w (MXNet wd_lh)'),
};

export const signSgd = defineOptimizer({
  name: 'sign-sgd',
  summary: 'signSGD: w ← w − lr·sign(g) (Bernstein et al. 2018, MXNet signsgd_update)',
  schema: z.strictObject({ lr: lrOption(1e-2), ...decayFields, ...clipOption }),
  gradEvals: 1,
  info: { source: 'apache/mxnet python/mxnet/optimizer/signum.py (momentum 0: signsgd_update)', paper: 'Bernstein et al. 2018, signSGD' },
  create: (o) => clipped(o.clip_grad_norm, addDecayedWeights(o.weight_decay), scaleBySign(), addDecayedWeights(o.wd_lh, 'wd_lh'), scaleByLearningRate({ value: o.lr })),
});

export const signum = defineOptimizer({
  name: 'signum',
  summary: 'Signum: the sign of an EMA of the gradient (Bernstein et al. 2018, MXNet Signum)',
  schema: z.strictObject({
    lr: lrOption(1e-2),
    momentum: z.number().min(0).lt(1).default(0.9).describe('EMA decay β: m = β·m + (1 − β)·g'),
    ...decayFields,
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'apache/mxnet python/mxnet/optimizer/signum.py (signum_update)', paper: 'Bernstein et al. 2018, signSGD' },
  create: (o) => clipped(
    o.clip_grad_norm,
    addDecayedWeights(o.weight_decay),
    ema(o.momentum),
    scaleBySign(),
    addDecayedWeights(o.wd_lh, 'wd_lh'),
    scaleByLearningRate({ value: o.lr }),
  ),
});
