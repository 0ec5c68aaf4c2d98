/** lion's chain in one kernel per parameter (MinimaLion): the composite's state, op for op. */
import { runProgram } from '../../backends/kernels/kernel.js';
import type { GradientTransformation } from '../transform.js';
import type { LionState } from '../transforms/scale-by-lion.js';
import { column, fusedRecipe, perParam } from './recipe.js';
import { lionProgram } from './rules.js';

export interface LionOptions {
  readonly betas: readonly [number, number]; readonly weight_decay: number; readonly clip_grad_norm: number | null;
}

export function fusedLion(o: LionOptions, composite: GradientTransformation): GradientTransformation {
  const lr = composite.learningRate!;
  const [b1, b2] = o.betas;
  const program = lionProgram(b1, b2, o.weight_decay, o.weight_decay === 0 ? 'none' : 'decoupled');
  return fusedRecipe(o.clip_grad_norm, composite, (grads, state, params) => {
    const s = state['lion'] as LionState;
    const { updates, states } = perParam(params, (i) => runProgram(program, [params[i]!, grads[i]!, s.mu[i]!], [-lr.value]));
    return [updates, { lion: { mu: column(states, 0) } }];
  });
}
