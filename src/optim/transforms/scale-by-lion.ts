import * as tf from '../../backends/tf.js';
import { sign, zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export interface LionState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[] }

/**
 * Lion's direction (google/automl `lion_pytorch.py`): out = sign(β1·m + (1 − β1)·g), then the
 * momentum m = β2·m + (1 − β2)·g.
 */
export function scaleByLion(betas: readonly [number, number]): GradientTransformation<LionState> {
  const [b1, b2] = betas;
  return {
    name: 'lion',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)) }),
    update(grads, state) {
      const out = zip(state.mu, grads, (m, g) => sign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1))));
      const mu = zip(state.mu, grads, (m, g) => tf.add(tf.mul(m, b2), tf.mul(g, 1 - b2)));
      return [out, { mu }];
    },
  };
}
