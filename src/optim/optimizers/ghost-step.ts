/**
 * The "ghosts of softmax" safe step (Sao 2026, "Ghosts of Softmax: Complex Singularities That Limit
 * Safe Step Sizes in Cross-Entropy", arXiv 2603.13552; no official code located) as a wrapper for any
 * base optimizer. The base proposes the update u; along it the logits move at rates
 *   a = (z(w + h·u) − z(w))/h        (a finite-difference JVP, probe length ‖h·u‖ = fd_eps)
 * The paper's multiclass bound on the Taylor radius of cross-entropy along u is ρ_a = π/Δ_a with
 * Δ_a = max_k a_k − min_k a_k, taken per example and minimised over the batch; with the step
 * τ = ‖u‖ and a along the unit direction, r = τ/ρ_a = max_i (max_k a_ik − min_k a_ik)/π for a along u.
 * The controller caps τ ≤ max_ratio·ρ_a: u ← u·min(1, max_ratio/r). r (before the cap) and ρ_a are
 * logged as ghost_ratio and ghost_radius. The base's state is the one its step computed (the cap
 * shortens the step taken, not the base's moments). Cost: two forward passes, no extra gradient.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { add, normOfNorms, scale } from '../../backends/tree.js';
import { clipOption, defineWrapper } from '../entry.js';
import type { GradientTransformation, StateTree } from '../transform.js';

const schema = z.strictObject({
  max_ratio: z.number().positive().default(1).describe('the cap on r = τ/ρ_a: the step is shortened to max_ratio·ρ_a when longer (paper: 1, τ ≤ ρ_a)'),
  fd_eps: z.number().positive().default(1e-3).describe('length ‖h·u‖ of the finite-difference probe along the update'),
  ...clipOption,
});

export const ghostStep = defineWrapper({
  name: 'ghost-step',
  summary: 'Ghosts-of-softmax safe step: caps any base update at the radius ρ_a = π/Δ_a from a finite-difference JVP of the logits, logs r = τ/ρ_a (Sao 2026)',
  schema,
  gradEvals: 1,
  info: { source: 'paper only (no official code located): Sao 2026, arXiv 2603.13552, ρ_a = π/Δ_a and the τ ≤ ρ_a controller', paper: 'Sao 2026, Ghosts of Softmax: Complex Singularities That Limit Safe Step Sizes in Cross-Entropy' },
  create: (o, base): GradientTransformation<{ readonly base: StateTree }> => ({
    name: 'ghost-step',
    init: (params) => ({ base: base.init(params) }),
    update(grads, state, w, ctx) {
      const [u, next] = base.update(grads, state.base, w, ctx);
      const norm = normOfNorms(u);
      // h·‖u‖ = fd_eps; a zero update probes nothing (h·0 = 0) and is left as it is
      const h = tf.div(o.fd_eps, tf.maximum(norm, 1e-30)) as tf.Scalar;
      const z0 = ctx.outputs();
      const z1 = ctx.outputs(add(w, scale(u, h)));
      const a = tf.div(tf.sub(z1, z0), h);
      const rows = a.rank > 1 ? tf.reshape(a, [a.shape[0]!, -1]) : tf.reshape(a, [1, -1]);
      const spread = tf.max(tf.sub(tf.max(rows, 1), tf.min(rows, 1)));
      const r = tf.div(spread, Math.PI) as tf.Scalar;
      ctx.report('ghost_ratio', r);
      ctx.report('ghost_radius', tf.div(tf.mul(norm, Math.PI), spread) as tf.Scalar);
      // min(1, max_ratio/r): r = 0 gives Infinity → 1
      const factor = tf.minimum(1, tf.div(o.max_ratio, r));
      return [u.map((x) => tf.mul(x, factor)), { base: next }];
    },
    ...(base.learningRate ? { learningRate: base.learningRate } : {}),
    hyperparams: () => ({ ...base.hyperparams?.() }),
  }),
});
