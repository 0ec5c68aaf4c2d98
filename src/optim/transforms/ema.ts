import * as tf from '../../backends/tf.js';
import { zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export interface EmaState { readonly [k: string]: StateTree; readonly mu: tf.Tensor[] }

/** optax `ema(decay, debias=False)`: m = decay·m + (1 − decay)·u from m = 0, returned as the update. */
export function ema(decay: number): GradientTransformation<EmaState> {
  return {
    name: 'ema',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)) }),
    update(u, state) {
      const mu = zip(state.mu, u, (m, x) => tf.add(tf.mul(m, decay), tf.mul(x, 1 - decay)));
      return [mu, { mu }];
    },
  };
}
