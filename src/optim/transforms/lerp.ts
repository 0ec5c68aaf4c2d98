import * as tf from '../../backends/tf.js';

/**
 * torch.lerp(start, end, w) with torch's two-branch formula (w < 0.5: start + w·(end − start);
 * else end − (end − start)·(1 − w)), so codes written with `lerp_` round as they do.
 */
export function lerp(start: tf.Tensor, end: tf.Tensor, w: number): tf.Tensor {
  return w < 0.5 ? tf.add(start, tf.mul(tf.sub(end, start), w)) : tf.sub(end, tf.mul(tf.sub(end, start), 1 - w));
}
