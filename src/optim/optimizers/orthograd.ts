/**
 * ⊥Grad (Prieto et al. 2025), official `orthograd.py`: per tensor (flattened, NOT global)
 *   proj = <w, g>/(<w, w> + 1e-30);  g⊥ = g − proj·w;  g⊥ ← g⊥·‖g‖/(‖g⊥‖ + 1e-30)
 * then the base step with g⊥. The official code projects the first `regular` parameter groups;
 * here a filter by role and name glob selects the tensors (default: all).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { l2 } from '../../backends/tree.js';
import { globToRegExp } from '../../core/registry.js';
import { clipOption, defineWrapper } from '../entry.js';
import { fusedOrthograd } from '../fused/orthograd.js';
import { wrapBase } from '../wrap-base.js';

/** The component of g orthogonal to w, rescaled to ‖g‖ (official arithmetic, 1e-30 guards). */
export function orthogonalize(w: tf.Tensor, g: tf.Tensor): tf.Tensor {
  const wf = tf.reshape(w, [-1]);
  const gf = tf.reshape(g, [-1]);
  const proj = tf.div(tf.sum(tf.mul(wf, gf)), tf.add(tf.sum(tf.mul(wf, wf)), 1e-30));
  const orth = tf.sub(gf, tf.mul(proj, wf));
  const scaled = tf.mul(orth, tf.div(l2(gf), tf.add(l2(orth), 1e-30)));
  return tf.reshape(scaled, g.shape);
}

export const orthograd = defineWrapper({
  name: 'orthograd',
  summary: '⊥Grad: drop the gradient component along the weights (per tensor, norm kept), then any base optimizer',
  schema: z.strictObject({
    roles: z.array(z.enum(['kernel', 'bias'])).default(['kernel', 'bias']).describe('parameter roles to project'),
    names: z.array(z.string()).default(['*']).describe('name globs of the parameters to project'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'LucasPrietoAl/grokking-at-the-edge-of-numerical-stability orthograd.py' },
  create(o, base) {
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
  },
  fused: fusedOrthograd,
});
