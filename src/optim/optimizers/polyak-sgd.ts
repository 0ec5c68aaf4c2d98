/**
 * SGD with the Polyak step size (Loizou et al. 2021; Garrigos et al. 2023 for sps+), after optax
 * `polyak_sgd` = chain(sgd(scaling), scale_by_polyak(max_learning_rate, f_min, eps, variant))
 * (optax/_src/alias.py, transform.py; no PyTorch code from the authors):
 *   u = −s·g;  γ = min((f − f*)/(‖u‖² + eps), γ_max)  (sps+: (f − f*)₊);  γ = 0 when ‖u‖² + eps ≤ 2.2e-16
 *   p ← p + γ·u
 * As optax, the norm is that of the scaled update u = −s·g, so `scaling` s ≠ 1 divides the step by s
 * (the docstring's s·min{…} holds for s = 1, the default). Schedules drive `scaling`. It reads the
 * loss of the step (ctx.loss), as MoMo, its momentum relative.
 */
import { z } from 'zod';
import * as tf from '../../backends/tf.js';
import { sumSquares } from '../../backends/tree.js';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import type { GradientTransformation, Hyper } from '../transform.js';
import { NORM_GUARD } from '../transforms/scale-by-momo.js';

export interface PolyakOptions {
  readonly max_learning_rate: number; readonly f_min: number; readonly eps: number; readonly variant: 'sps' | 'sps+';
}

/** chain(sgd(scaling), scale_by_polyak(…)) in one part: the step size needs the loss and the scaled update. */
export function scaleByPolyak(scaling: Hyper, o: PolyakOptions): GradientTransformation<Record<string, never>> {
  return {
    name: 'polyak',
    init: () => ({}),
    update(grads, state, _params, ctx) {
      const u = grads.map((g) => tf.mul(g, -scaling.value));
      const norm = sumSquares(u);
      let gap = tf.sub(ctx.loss, o.f_min);
      if (o.variant === 'sps+') gap = tf.relu(gap);
      const denom = tf.add(norm, o.eps);
      const step = tf.where(tf.lessEqual(denom, NORM_GUARD), tf.scalar(0), tf.minimum(tf.div(gap, denom), o.max_learning_rate)) as tf.Scalar;
      ctx.report('step_size', step);
      return [u.map((x) => tf.mul(x, step)), state];
    },
    learningRate: scaling,
    hyperparams: () => ({ lr: scaling.value }),
  };
}

export const polyakSgd = defineOptimizer({
  name: 'polyak-sgd',
  summary: 'SGD with the Polyak step size min((f − f*)/‖g‖², γ_max) (optax polyak_sgd; needs the loss value)',
  schema: z.strictObject({
    lr: lrOption(1).describe('optax `scaling` s: the update is −s·g before the Polyak step (schedules scale it)'),
    max_learning_rate: z.number().positive().default(1).describe('γ_max: cap of the Polyak step size'),
    f_min: z.number().default(0).describe('f*: a lower bound of the loss (0 for models that interpolate)'),
    eps: z.number().min(0).default(0).describe('added to ‖u‖² in the step size'),
    variant: z.enum(['sps', 'sps+']).default('sps').describe("sps: (f − f*); sps+: its positive part (Garrigos et al. 2023)"),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { needsLoss: true, source: 'google-deepmind/optax optax/_src/alias.py polyak_sgd, transform.py scale_by_polyak', paper: 'Loizou et al. 2021, Stochastic Polyak Step-size for SGD' },
  fixedGroups: 'couples every tensor in one step size',
  create: (o) => clipped(o.clip_grad_norm, scaleByPolyak({ value: o.lr }, o)),
});
