/**
 * Lion, google/automl `lion/lion_pytorch.py`:
 *   p = p·(1 − lr·wd);  u = β1·m + (1 − β1)·g;  p = p − lr·sign(u);  m = β2·m + (1 − β2)·g
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { betasOption, clipOption, defineOptimizer, lrOption } from '../entry.js';
import type { GradientTransformation, Hyper, StateTree } from '../transform.js';
import { runProgram } from '../fused/kernel.js';
import { column, fusedRecipe, perParam } from '../fused/recipe.js';
import { lionProgram } from '../fused/rules.js';
import { sign, zip } from '../tree.js';

interface LionState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[] }

export function scaleByLion(betas: readonly [number, number]): GradientTransformation<LionState> {
  const [b1, b2] = betas;
  return {
    name: 'lion',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)) }),
    update(grads, state) {
      const out = zip(state.mu, grads, (m, g) => sign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1))));
      const mu = zip(state.mu, grads, (m, g) => tf.add(tf.mul(m, b2), tf.mul(g, 1 - b2)));
      return [out, { mu }];
    },
  };
}

export const lion = defineOptimizer({
  name: 'lion',
  summary: 'Lion: sign of an interpolated momentum, decoupled weight decay (google/automl)',
  schema: z.strictObject({
    lr: lrOption(1e-4),
    betas: betasOption(0.9, 0.99),
    weight_decay: z.number().min(0).default(0).describe('decoupled: p ← p·(1 − lr·wd)'),
    ...clipOption,
  }),
  info: { gradEvals: 1, source: 'google/automl lion/lion_pytorch.py' },
  create(o) {
    const lr: Hyper = { value: o.lr };
    const [b1, b2] = o.betas;
    const program = lionProgram(b1, b2, o.weight_decay, o.weight_decay === 0 ? 'none' : 'decoupled');
    return fusedRecipe(o.clip_grad_norm, [scaleByLion(o.betas), addDecayedWeights(o.weight_decay), scaleByLearningRate(lr)], (grads, state, params) => {
      const s = state['lion'] as LionState;
      const { updates, states } = perParam(params, (i) => runProgram(program, [params[i]!, grads[i]!, s.mu[i]!], [-lr.value]));
      return [updates, { lion: { mu: column(states, 0) } }];
    });
  },
});
