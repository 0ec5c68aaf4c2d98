/**
 * ⊥Grad (Prieto et al. 2025), official `orthograd.py`: per tensor (flattened, NOT global)
 *   proj = <w, g>/(<w, w> + 1e-30);  g⊥ = g − proj·w;  g⊥ ← g⊥·‖g‖/(‖g⊥‖ + 1e-30)
 * then the base step with g⊥. The official code projects the first `regular` parameter groups;
 * here a filter by role and name glob selects the tensors (default: all).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { globToRegExp, type Spec } from '../../core/registry.js';
import { baseSlot, buildBase, clipOption, defineOptimizer, forwardLearningRate } from '../entry.js';
import type { StateTree } from '../transform.js';
import { l2 } from '../tree.js';
import { fusedActive, runProgram } from '../fused/kernel.js';
import { orthoProductsProgram, orthoProjectProgram } from '../fused/rules.js';

/** The component of g orthogonal to w, rescaled to ‖g‖ (official arithmetic, 1e-30 guards). */
export function orthogonalize(w: tf.Tensor, g: tf.Tensor): tf.Tensor {
  if (fusedActive()) {
    // the same ops in two fused passes (elementwise work is shape-agnostic, full sums equal flat sums)
    const [wg, ww, gg] = runProgram(orthoProductsProgram, [w, g]) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const proj = tf.div(wg, tf.add(ww, 1e-30)) as tf.Scalar;
    const [orth, oo] = runProgram(orthoProjectProgram, [g, w], [proj]) as [tf.Tensor, tf.Tensor];
    return tf.mul(orth, tf.div(tf.sqrt(gg), tf.add(tf.sqrt(oo), 1e-30)));
  }
  const wf = tf.reshape(w, [-1]);
  const gf = tf.reshape(g, [-1]);
  const proj = tf.div(tf.sum(tf.mul(wf, gf)), tf.add(tf.sum(tf.mul(wf, wf)), 1e-30));
  const orth = tf.sub(gf, tf.mul(proj, wf));
  const scaled = tf.mul(orth, tf.div(l2(gf), tf.add(l2(orth), 1e-30)));
  return tf.reshape(scaled, g.shape);
}

export const orthograd = defineOptimizer<z.ZodType<{ roles: ('kernel' | 'bias')[]; names: string[]; clip_grad_norm: number | null }>, { base: Spec }>({
  name: 'orthograd',
  summary: '⊥Grad: drop the gradient component along the weights (per tensor, norm kept), then any base optimizer',
  schema: z.strictObject({
    roles: z.array(z.enum(['kernel', 'bias'])).default(['kernel', 'bias']).describe('parameter roles to project'),
    names: z.array(z.string()).default(['*']).describe('name globs of the parameters to project'),
    ...clipOption,
  }),
  nested: baseSlot,
  info: { gradEvals: 1, source: 'LucasPrietoAl/grokking-at-the-edge-of-numerical-stability orthograd.py' },
  create(o, deps) {
    const base = buildBase(o, deps);
    const globs = o.names.map(globToRegExp);
    return {
      name: 'orthograd',
      init: (params) => ({ base: base.init(params) }),
      update(grads, state, w, ctx) {
        const g = grads.map((gi, i) => {
          const p = ctx.params[i];
          const selected = p !== undefined && o.roles.includes(p.role) && globs.some((re) => re.test(p.name));
          return selected ? orthogonalize(w[i]!, gi) : gi;
        });
        const [u, bs] = base.update(g, (state as { base: StateTree }).base, w, ctx);
        return [u, { base: bs }];
      },
      ...forwardLearningRate(base),
      hyperparams: () => ({ ...base.hyperparams?.() }),
    };
  },
});
