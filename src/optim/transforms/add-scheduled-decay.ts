import * as tf from '../../backends/tf.js';
import { stateless, hyperValue, type GradientTransformation, type Hyper, type HyperValue } from '../transform.js';

/**
 * u − η_t·wd·p with η_t = lr_t/lr₀, the schedule multiplier: Loshchilov & Hutter's Algorithm 2
 * (AdamW) decays by η_t·λ, independent of the step size α. Placed AFTER the learning rate, so the
 * decay is not scaled by lr again. `lr` is the chain's shared learning rate (the schedule sets it),
 * `baseLr` its configured value; a scheduled wd (a Hyper) is read each step. A tensor outside the decay mask passes through.
 */
export function addScheduledDecay(weightDecay: HyperValue, lr: Hyper, baseLr: number): GradientTransformation<Record<string, never>> {
  return stateless('scheduled_decay', (u, params, ctx) => {
    const wd = hyperValue(weightDecay);
    if (wd === 0) return u;
    const factor = baseLr > 0 ? (wd * lr.value) / baseLr : 0;
    return u.map((x, i) => (ctx.params[i]?.decay === false ? x : tf.sub(x, tf.mul(params[i]!, factor))));
  });
}
