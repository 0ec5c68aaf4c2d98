/** The wrappers' rebase (wrap-base.ts) in one kernel per tensor that also writes w + u′ for applyUpdates. */
import type * as tf from '../../backends/tf.js';
import { runProgram } from '../../backends/kernels/kernel.js';
import { withPrecomputedSum } from '../apply.js';
import type { Rebase } from '../wrap-base.js';
import { rebaseProgram } from './rules.js';

export const fusedRebase: Rebase = (from, u, w) =>
  from.map((r, i) => {
    const [ui, next] = runProgram(rebaseProgram, [r, u[i]!, w[i]!]) as [tf.Tensor, tf.Tensor];
    return withPrecomputedSum(ui, w[i]!, next);
  });
