/**
 * ⊥Grad's fused twin: the projection of optimizers/orthograd.ts in two fused passes per tensor
 * (elementwise work is shape-agnostic, full sums equal flat sums), the same tensors selected.
 */
import * as tf from '../../backends/tf.js';
import { runProgram } from '../../backends/kernels/kernel.js';
import { globToRegExp } from '../../core/registry.js';
import type { GradientTransformation } from '../transform.js';
import { wrapBase } from '../wrap-base.js';
import { orthoProductsProgram, orthoProjectProgram } from './rules.js';

export interface OrthogradOptions { readonly roles: readonly ('kernel' | 'bias')[]; readonly names: readonly string[] }

/** orthogonalize's ops: Σ w⊙g, Σ w², Σ g² in one pass, g⊥ and Σ g⊥² in the next. */
function orthogonalize(w: tf.Tensor, g: tf.Tensor): tf.Tensor {
  const [wg, ww, gg] = runProgram(orthoProductsProgram, [w, g]) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const proj = tf.div(wg, tf.add(ww, 1e-30)) as tf.Scalar;
  const [orth, oo] = runProgram(orthoProjectProgram, [g, w], [proj]) as [tf.Tensor, tf.Tensor];
  return tf.mul(orth, tf.div(tf.sqrt(gg), tf.add(tf.sqrt(oo), 1e-30)));
}

export function fusedOrthograd(o: OrthogradOptions, base: GradientTransformation): GradientTransformation {
  const globs = o.names.map(globToRegExp);
  return wrapBase('orthograd', base, {
    update(grads, w, ctx) {
      const g = grads.map((gi, i) => {
        const p = ctx.params[i];
        const selected = p !== undefined && o.roles.includes(p.role) && globs.some((re) => re.test(p.name));
        return selected ? orthogonalize(w[i]!, gi) : gi;
      });
      return { grads: g };
    },
  });
}
