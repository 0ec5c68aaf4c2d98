import * as tf from '../../backends/tf.js';
import type { GradientTransformation, Hyper } from '../transform.js';

/** u·(−lr): the last part of a descent recipe. `lr` is shared so schedules can drive it. */
export function scaleByLearningRate(lr: Hyper): GradientTransformation<Record<string, never>> {
  return {
    name: 'lr',
    init: () => ({}),
    update: (u, state) => [u.map((x) => tf.mul(x, -lr.value)), state],
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}
