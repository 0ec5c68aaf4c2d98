import * as tf from '../../backends/tf.js';
import { zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export interface RssState { readonly [k: string]: StateTree; readonly sum: tf.Tensor[]; readonly count: tf.Scalar }

/**
 * torch Adagrad's direction (`_single_tensor_adagrad`): s = s + g² (s starts at
 * initial_accumulator_value), out = g/(sqrt(s) + eps) / (1 + (t − 1)·lr_decay). torch folds the
 * decay into clr = lr/(1 + (t − 1)·lr_decay); here it is a factor before the learning rate part.
 */
export function scaleByRss(initial: number, eps: number, lrDecay: number): GradientTransformation<RssState> {
  return {
    name: 'adagrad',
    init: (params) => ({ sum: params.map((p) => tf.fill(p.shape, initial)), count: tf.scalar(0) }),
    update(grads, state) {
      const count = tf.add(state.count, 1) as tf.Scalar;
      const sum = zip(state.sum, grads, (s, g) => tf.add(s, tf.mul(g, g)));
      let out = zip(grads, sum, (g, s) => tf.div(g, tf.add(tf.sqrt(s), eps)));
      if (lrDecay !== 0) {
        const decay = tf.div(1, tf.add(tf.mul(tf.sub(count, 1), lrDecay), 1));
        out = out.map((u) => tf.mul(u, decay));
      }
      return [out, { sum, count }];
    },
  };
}
