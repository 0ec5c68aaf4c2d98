import * as tf from '../../backends/tf.js';
import { zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export interface AdadeltaState { readonly [k: string]: StateTree; readonly nu: tf.Tensor[]; readonly delta: tf.Tensor[] }

/**
 * torch Adadelta's direction (`_single_tensor_adadelta`):
 *   v = ρ·v + (1 − ρ)·g²;  out = sqrt(Δ + eps)/sqrt(v + eps)·g;  Δ = ρ·Δ + (1 − ρ)·out²
 * (eps inside both roots; the update is then scaled by lr, 1.0 by default, as in torch).
 */
export function scaleByAdadelta(rho: number, eps: number): GradientTransformation<AdadeltaState> {
  return {
    name: 'adadelta',
    init: (params) => ({ nu: params.map((p) => tf.zerosLike(p)), delta: params.map((p) => tf.zerosLike(p)) }),
    update(grads, state) {
      const nu = zip(state.nu, grads, (v, g) => tf.add(tf.mul(v, rho), tf.mul(tf.mul(g, g), 1 - rho)));
      // torch: delta = sqrt(acc_delta + eps); delta.div_(std).mul_(grad)
      const out = grads.map((g, i) => tf.mul(tf.div(tf.sqrt(tf.add(state.delta[i]!, eps)), tf.sqrt(tf.add(nu[i]!, eps))), g));
      const delta = zip(state.delta, out, (d, u) => tf.add(tf.mul(d, rho), tf.mul(tf.mul(u, u), 1 - rho)));
      return [out, { nu, delta }];
    },
  };
}
