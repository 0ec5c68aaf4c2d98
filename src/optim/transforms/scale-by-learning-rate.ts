import * as tf from '../../backends/tf.js';
import type { GradientTransformation, Hyper } from '../transform.js';

/**
 * u·(−lr): the last part of a descent recipe. `lr` is shared so schedules can drive it. A tensor of
 * a group with `lrScale` s steps with u·(−lr·s), the lr a torch group with `lr = lr·s` has.
 */
export function scaleByLearningRate(lr: Hyper): GradientTransformation<Record<string, never>> {
  return {
    name: 'lr',
    init: () => ({}),
    update: (u, state, _params, ctx) => [u.map((x, i) => tf.mul(x, -lr.value * (ctx.params[i]?.lrScale ?? 1))), state],
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}
