/** ⊥Grad's per-tensor projection in two fused passes (elementwise work is shape-agnostic, full sums equal flat sums). */
import * as tf from '../../backends/tf.js';
import { runProgram } from '../../backends/kernels/kernel.js';
import { orthoProductsProgram, orthoProjectProgram } from './rules.js';

/** orthogonalize (optimizers/orthograd.ts), the same ops: Σ w⊙g, Σ w², Σ g² in one pass, g⊥ and Σ g⊥² in the next. */
export function fusedOrthogonalize(w: tf.Tensor, g: tf.Tensor): tf.Tensor {
  const [wg, ww, gg] = runProgram(orthoProductsProgram, [w, g]) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const proj = tf.div(wg, tf.add(ww, 1e-30)) as tf.Scalar;
  const [orth, oo] = runProgram(orthoProjectProgram, [g, w], [proj]) as [tf.Tensor, tf.Tensor];
  return tf.mul(orth, tf.div(tf.sqrt(gg), tf.add(tf.sqrt(oo), 1e-30)));
}
