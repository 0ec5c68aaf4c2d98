import * as tf from '../../backends/tf.js';
import { stateless, type GradientTransformation } from '../transform.js';
import { normOfNorms } from '../../backends/tree.js';

/**
 * torch.nn.utils.clip_grad_norm_: rescale every gradient by min(1, max_norm/(‖g‖ + 1e-6)), with the
 * global norm over all tensors. It only rescales, so the direction is never changed.
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<Record<string, never>> {
  return stateless('clip', (grads, _params, ctx) => {
    const norm = normOfNorms(grads);
    ctx.report('unclipped_grad_norm', norm);
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    return grads.map((g) => tf.mul(g, coef));
  });
}
