import * as tf from '../../backends/tf.js';
import { stateless, hyperValue, type GradientTransformation, type HyperValue } from '../transform.js';

/**
 * u + wd·p. Before the moments it is torch's coupled L2 (`grad.add(param, alpha=wd)`); after a
 * direction and before the learning rate it is decoupled decay scaled by lr (AdamW, Lion, SGDW).
 * wd = 0 passes the updates through untouched, as torch skips the term. A tensor outside the
 * decay mask (`decay: false`, param-groups.ts) passes through as in a torch group with wd 0.
 * `name` tells two apart in one chain (Signum's coupled wd and decoupled wd_lh). A scheduled wd
 * (a Hyper) is read each step.
 */
export function addDecayedWeights(weightDecay: HyperValue, name = 'weight_decay'): GradientTransformation<Record<string, never>> {
  return stateless(name, (u, params, ctx) => {
    const wd = hyperValue(weightDecay);
    return wd === 0 ? u : u.map((x, i) => (ctx.params[i]?.decay === false ? x : tf.add(x, tf.mul(params[i]!, wd))));
  });
}
