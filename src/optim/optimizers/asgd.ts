/**
 * Averaged SGD with torch semantics (torch/optim/asgd.py `_single_tensor_asgd`, torch 2.13;
 * Polyak & Juditsky 1992, the step sizes of Bottou 2012 "SGD tricks" §5.3):
 *   g = g + wd·p;  p = p·(1 − λ·η) − η·g;  ax = p if μ = 1 else ax + μ·(p − ax)
 *   then η ← lr/(1 + λ·lr·t)^α,  μ ← 1/max(1, t − t0)      (η₀ = lr, μ₀ = 1)
 * η and μ are float32 state read back once per step (torch reads them with .item()), so the step
 * takes the η of the previous step's lr exactly as torch does when a schedule changes lr. The
 * averaged iterate `ax` is state only (torch's ASGD never steps from it); it is checkpointed.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { withPrecomputedSum } from '../apply.js';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import type { GradientTransformation, Hyper, StateTree } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';

export interface AsgdState {
  readonly [k: string]: StateTree;
  readonly eta: tf.Scalar;
  readonly mu: tf.Scalar;
  readonly ax: tf.Tensor[];
  readonly count: tf.Scalar;
}

interface AsgdOptions { readonly lambd: number; readonly alpha: number; readonly t0: number }

function asgdStep(lr: Hyper, o: AsgdOptions): GradientTransformation<AsgdState> {
  return {
    name: 'asgd',
    init: (params) => ({ eta: tf.scalar(lr.value), mu: tf.scalar(1), ax: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, state, params) {
      const [eta, mu, count] = tf.stack([state.eta, state.mu, state.count]).dataSync() as unknown as [number, number, number];
      const t = count + 1;
      const next = params.map((p, i) => tf.sub(tf.mul(p, 1 - o.lambd * eta), tf.mul(grads[i]!, eta)));
      const ax = mu === 1 ? next : next.map((p, i) => tf.add(state.ax[i]!, tf.mul(tf.sub(p, state.ax[i]!), mu)));
      // the update lands the parameters on torch's p·(1 − λη) − ηg bit for bit
      const updates = next.map((p, i) => withPrecomputedSum(tf.sub(p, params[i]!), params[i]!, p));
      return [updates, {
        eta: tf.scalar(lr.value / (1 + o.lambd * lr.value * t) ** o.alpha),
        mu: tf.scalar(1 / Math.max(1, t - o.t0)),
        ax,
        count: tf.scalar(t),
      }];
    },
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}

export const asgd = defineOptimizer({
  name: 'asgd',
  summary: 'Averaged SGD with decaying step size and an iterate average from t0 on (torch.optim.ASGD semantics)',
  schema: z.strictObject({
    lr: lrOption(1e-2),
    lambd: z.number().min(0).default(1e-4).describe('decay term λ: p ← p·(1 − λ·η) and η = lr/(1 + λ·lr·t)^α'),
    alpha: z.number().min(0).default(0.75).describe('power α of the step-size decay'),
    t0: z.number().min(0).default(1e6).describe('step from which the average ax starts (before it, ax tracks p)'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2: g ← g + wd·p'),
    ...clipOption,
  }),
  gradEvals: 1,
  fixedGroups: "decays inside its own step and average",
  info: { source: 'pytorch/pytorch torch/optim/asgd.py', paper: 'Polyak & Juditsky 1992; Bottou 2012 (step sizes)' },
  create: (o) => clipped(o.clip_grad_norm, addDecayedWeights(o.weight_decay), asgdStep({ value: o.lr }, o)),
});
