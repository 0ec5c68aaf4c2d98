/** grams' chain in one kernel per parameter (MinimaGrams): the composite's state, op for op. */
import * as tf from '../../backends/tf.js';
import { runProgram } from '../../backends/kernels/kernel.js';
import type { GradientTransformation } from '../transform.js';
import { gramsStepFactor, type GramsState } from '../transforms/scale-by-grams.js';
import { column, fusedRecipe, perParam } from './recipe.js';
import { gramsProgram } from './rules.js';

export interface GramsOptions {
  readonly betas: readonly [number, number]; readonly eps: number; readonly weight_decay: number; readonly correct_bias: boolean; readonly clip_grad_norm: number | null;
}

export function fusedGrams(o: GramsOptions, composite: GradientTransformation): GradientTransformation {
  const lr = composite.learningRate!;
  const [b1, b2] = o.betas;
  const program = gramsProgram(b1, b2, o.eps, o.weight_decay, o.weight_decay === 0 ? 'none' : 'decoupled', o.correct_bias);
  return fusedRecipe(o.clip_grad_norm, composite, (grads, state, params) => {
    const s = state['grams'] as GramsState;
    const count = tf.add(s.count, 1) as tf.Scalar;
    // the step factor exactly as scaleByGrams computes it
    const factor = o.correct_bias ? [gramsStepFactor(o.betas, count)] : [];
    const { updates, states } = perParam(params, (i) => runProgram(program, [params[i]!, grads[i]!, s.mu[i]!, s.nu[i]!], [-lr.value, ...factor]));
    return [updates, { grams: { mu: column(states, 0), nu: column(states, 1), count } }];
  });
}
