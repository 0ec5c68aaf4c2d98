/** adam/adamw's chain in one kernel per parameter (MinimaAdam): the composite's state, op for op. */
import * as tf from '../../backends/tf.js';
import { oneMinusPow } from '../../backends/tree.js';
import { runProgram } from '../../backends/kernels/kernel.js';
import type { GradientTransformation } from '../transform.js';
import type { AdamState } from '../transforms/scale-by-adam.js';
import { column, fusedRecipe, perParam } from './recipe.js';
import { adamProgram } from './rules.js';

export interface AdamOptions {
  readonly lr: number; readonly betas: readonly [number, number]; readonly eps: number; readonly weight_decay: number; readonly clip_grad_norm: number | null;
}

export function fusedAdam(o: AdamOptions, decoupled: boolean, composite: GradientTransformation): GradientTransformation {
  const lr = composite.learningRate!;
  const [b1, b2] = o.betas;
  const program = adamProgram(b1, b2, o.eps, o.weight_decay, o.weight_decay === 0 ? 'none' : decoupled ? 'decoupled' : 'coupled');
  return fusedRecipe(o.clip_grad_norm, composite, (grads, state, params) => {
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
