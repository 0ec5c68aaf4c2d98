import * as tf from '../../backends/tf.js';
import { l2 } from '../../backends/tree.js';
import { stateless, type GradientTransformation, type Hyper } from '../transform.js';
import { excludedFromAdaptation } from './layer-adaptation.js';

export interface LarsOptions {
  readonly weight_decay: number; readonly trust_coeff: number; readonly eps: number;
  readonly trust_clip: boolean; readonly always_adapt: boolean; readonly exclude_bias_and_norm: boolean;
}

/**
 * LARS/LARC's layer-wise rescaling before the momentum (timm `timm/optim/lars.py`, after NVIDIA
 * apex LARC): where adapted (wd ≠ 0 or always_adapt, and not excluded),
 *   τ = trust_coeff·‖p‖/(‖g‖ + wd·‖p‖ + eps), 1 when ‖p‖ or ‖g‖ is 0;  trust_clip: τ = min(τ/lr, 1)
 *   out = (g + wd·p)·τ
 * elsewhere the gradient passes unchanged (and undecayed, as timm's no-decay parameter groups).
 */
export function scaleByLars(lr: Hyper, o: LarsOptions): GradientTransformation<Record<string, never>> {
  return stateless('lars', (grads, params, ctx) => grads.map((g, i) => {
    const p = params[i]!;
    if (o.exclude_bias_and_norm && excludedFromAdaptation(ctx.params[i], p.rank)) return g;
    if (o.weight_decay === 0 && !o.always_adapt) return g;
    const wn = l2(p);
    const gn = l2(g);
    const raw = tf.div(tf.mul(wn, o.trust_coeff), tf.add(tf.add(gn, tf.mul(wn, o.weight_decay)), o.eps));
    let trust = tf.where(tf.logicalAnd(tf.greater(wn, 0), tf.greater(gn, 0)), raw, tf.onesLike(raw));
    if (o.trust_clip) trust = tf.minimum(tf.div(trust, lr.value), 1);
    const decayed = o.weight_decay === 0 ? g : tf.add(g, tf.mul(p, o.weight_decay));
    return tf.mul(decayed, trust);
  }));
}
