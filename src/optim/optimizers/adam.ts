/**
 * Adam and AdamW with torch semantics (torch/optim/adam.py, adamw.py):
 *   adam:  g = g + wd·p (coupled L2), then the Adam direction
 *   adamw: p = p·(1 − lr·wd) (decoupled, scaled by lr), then the Adam direction
 *   direction: m/(sqrt(v)/sqrt(1 − β2^t) + eps) · lr/(1 − β1^t)   (eps after the bias-corrected sqrt)
 */
import { z } from 'zod';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdam } from '../transforms/scale-by-adam.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { betasOption, clipOption, defineOptimizer, lrOption } from '../entry.js';
import * as tf from '../../backends/tf.js';
import type { Hyper } from '../transform.js';
import { oneMinusPow } from '../tree.js';
import { runProgram } from '../fused/kernel.js';
import { column, fusedRecipe, perParam } from '../fused/recipe.js';
import { adamProgram } from '../fused/rules.js';
import type { AdamState } from '../transforms/scale-by-adam.js';

const fields = {
  lr: lrOption(1e-3),
  betas: betasOption(0.9, 0.999),
  eps: z.number().min(0).default(1e-8).describe('added to sqrt(v̂) (torch placement)'),
  ...clipOption,
};

export const adam = defineOptimizer({
  name: 'adam',
  summary: 'Adam with coupled L2 weight decay (torch.optim.Adam semantics)',
  schema: z.strictObject({ ...fields, weight_decay: z.number().min(0).default(0).describe('coupled L2: g ← g + wd·p before the moments') }),
  info: { gradEvals: 1, source: 'pytorch/pytorch torch/optim/adam.py' },
  create: (o) => adamRecipe(o, false),
});

export const adamw = defineOptimizer({
  name: 'adamw',
  summary: 'AdamW: Adam with decoupled weight decay scaled by lr (torch.optim.AdamW semantics)',
  schema: z.strictObject({ ...fields, weight_decay: z.number().min(0).default(1e-2).describe('decoupled: p ← p·(1 − lr·wd)') }),
  info: { gradEvals: 1, source: 'pytorch/pytorch torch/optim/adamw.py' },
  create: (o) => adamRecipe(o, true),
});

interface AdamOptions {
  readonly lr: number; readonly betas: readonly [number, number]; readonly eps: number; readonly weight_decay: number; readonly clip_grad_norm: number | null;
}

/** The composite chain, and its fused form (kernel MinimaAdam) on cpu and wasm. */
function adamRecipe(o: AdamOptions, decoupled: boolean) {
  const lr: Hyper = { value: o.lr };
  const decay = addDecayedWeights(o.weight_decay);
  const adam = scaleByAdam(o.betas, o.eps);
  const [b1, b2] = o.betas;
  const program = adamProgram(b1, b2, o.eps, o.weight_decay, o.weight_decay === 0 ? 'none' : decoupled ? 'decoupled' : 'coupled');
  return fusedRecipe(o.clip_grad_norm, decoupled ? [adam, decay, scaleByLearningRate(lr)] : [decay, adam, scaleByLearningRate(lr)], (grads, state, params) => {
    const s = state['adam'] as AdamState;
    const count = tf.add(s.count, 1) as tf.Scalar;
    // the per-step scalars exactly as scaleByAdam computes them
    const bc1 = oneMinusPow(b1, count);
    const sqrtBc2 = tf.sqrt(oneMinusPow(b2, count));
    const inv1 = tf.div(1, bc1);
    const { updates, states } = perParam(params, (i) =>
      runProgram(program, [params[i]!, grads[i]!, s.mu[i]!, s.nu[i]!], [inv1, sqrtBc2, -lr.value]));
    return [updates, { adam: { mu: column(states, 0), nu: column(states, 1), count } }];
  });
}
