/** sgd/sgdw's chain in one kernel per parameter (MinimaSgd): the composite's state, op for op. */
import * as tf from '../../backends/tf.js';
import { select } from '../../backends/tree.js';
import { runProgram } from '../../backends/kernels/kernel.js';
import type { GradientTransformation } from '../transform.js';
import type { TraceState } from '../transforms/trace.js';
import { column, fusedRecipe, perParam } from './recipe.js';
import { sgdProgram, type DecayMode } from './rules.js';

export interface MomentumOptions {
  readonly momentum: number; readonly dampening: number; readonly nesterov: boolean; readonly weight_decay: number; readonly clip_grad_norm: number | null;
}

/** `mode`: where the chain applies its weight decay (rules.ts DecayMode). */
export function fusedSgd(o: MomentumOptions, mode: DecayMode, composite: GradientTransformation): GradientTransformation {
  const lr = composite.learningRate!;
  const program = sgdProgram(o.momentum, o.nesterov, o.weight_decay, mode);
  return fusedRecipe(o.clip_grad_norm, composite, (grads, state, params) => {
    const s = state['momentum'] as TraceState;
    if (o.momentum === 0 || !('buf' in s)) {
      return [perParam(params, (i) => runProgram(program, [params[i]!, grads[i]!], [-lr.value])).updates, {}];
    }
    // the first-step coefficient exactly as trace() selects it
    const coef = select(tf.equal(s.count, 0), 1, 1 - o.dampening);
    const { updates, states } = perParam(params, (i) => runProgram(program, [params[i]!, grads[i]!, s.buf[i]!], [-lr.value, coef]));
    return [updates, { momentum: { buf: column(states, 0), count: tf.add(s.count, 1) } }];
  });
}
