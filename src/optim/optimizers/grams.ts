/**
 * Grams, official Gunale0926/Grams `grams/src/grams.py` (4c9546d):
 *   p = p − lr·wd·p (before everything);  m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
 *   denom = sqrt(v) + eps   (eps on the UNcorrected sqrt)
 *   step = lr·sqrt(1 − β2^t)/(1 − β1^t) if correct_bias else lr
 *   p = p − step · sign(g) ⊙ |m| / denom   (direction from the CURRENT gradient, sign(0) = 0)
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { betasOption, clipOption, defineOptimizer, lrOption } from '../entry.js';
import type { GradientTransformation, Hyper, StateTree } from '../transform.js';
import { runProgram } from '../fused/kernel.js';
import { column, fusedRecipe, perParam } from '../fused/recipe.js';
import { gramsProgram } from '../fused/rules.js';
import { oneMinusPow, sign, zip } from '../tree.js';

interface GramsState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[]; readonly nu: tf.Tensor[]; readonly count: tf.Scalar }

export function scaleByGrams(betas: readonly [number, number], eps: number, correctBias: boolean): GradientTransformation<GramsState> {
  const [b1, b2] = betas;
  return {
    name: 'grams',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)), nu: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, state) {
      const count = tf.add(state.count, 1) as tf.Scalar;
      const mu = zip(state.mu, grads, (m, g) => tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
      const nu = zip(state.nu, grads, (v, g) => tf.add(tf.mul(v, b2), tf.mul(tf.mul(g, g), 1 - b2)));
      const factor = correctBias ? tf.div(tf.sqrt(oneMinusPow(b2, count)), oneMinusPow(b1, count)) : null;
      const out = grads.map((g, i) => {
        const dir = tf.div(tf.mul(sign(g), tf.abs(mu[i]!)), tf.add(tf.sqrt(nu[i]!), eps));
        return factor ? tf.mul(dir, factor) : dir;
      });
      return [out, { mu, nu, count }];
    },
  };
}

export const grams = defineOptimizer({
  name: 'grams',
  summary: 'Grams: Adam moments for the size, the current gradient’s sign for the direction (official code)',
  schema: z.strictObject({
    lr: lrOption(1e-3),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-6).describe('added to the UNcorrected sqrt(v) (official code)'),
    weight_decay: z.number().min(0).default(0).describe('decoupled: p ← p − lr·wd·p before the step'),
    correct_bias: z.boolean().default(true).describe('step size lr·sqrt(1 − β2^t)/(1 − β1^t)'),
    ...clipOption,
  }),
  info: { gradEvals: 1, source: 'Gunale0926/Grams grams/src/grams.py' },
  create(o) {
    const lr: Hyper = { value: o.lr };
    const [b1, b2] = o.betas;
    const program = gramsProgram(b1, b2, o.eps, o.weight_decay, o.weight_decay === 0 ? 'none' : 'decoupled', o.correct_bias);
    const parts = [scaleByGrams(o.betas, o.eps, o.correct_bias), addDecayedWeights(o.weight_decay), scaleByLearningRate(lr)];
    return fusedRecipe(o.clip_grad_norm, parts, (grads, state, params) => {
      const s = state['grams'] as GramsState;
      const count = tf.add(s.count, 1) as tf.Scalar;
      // the step factor exactly as scaleByGrams computes it
      const factor = o.correct_bias ? [tf.div(tf.sqrt(oneMinusPow(b2, count)), oneMinusPow(b1, count))] : [];
      const { updates, states } = perParam(params, (i) => runProgram(program, [params[i]!, grads[i]!, s.mu[i]!, s.nu[i]!], [-lr.value, ...factor]));
      return [updates, { grams: { mu: column(states, 0), nu: column(states, 1), count } }];
    });
  },
});
