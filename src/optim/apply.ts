/**
 * optax `apply_updates`: the one place parameters change, p ← p + u per tensor.
 *
 * A fused rule computes p + u (in float32, the same bits as tf.add) in the pass that computes u;
 * it hands that sum over with `withPrecomputedSum`, keyed by the update tensor and the parameter
 * tensor it was added to, and `applyUpdates` takes it instead of adding once more. Whatever
 * rewrites an update (a wrapper, a chain part after the fused rule) makes a new tensor without a
 * precomputed sum, and the add runs as usual.
 */
import * as tf from '../backends/tf.js';
import type { Params, Updates } from './transform.js';

const precomputed = new WeakMap<tf.Tensor, { readonly from: tf.Tensor; readonly sum: tf.Tensor }>();

/** Returns `update`, marked with `from + update` already computed as `sum`. */
export function withPrecomputedSum(update: tf.Tensor, from: tf.Tensor, sum: tf.Tensor): tf.Tensor {
  precomputed.set(update, { from, sum });
  return update;
}

/** p + u per tensor: the precomputed sum when a fused rule made it from this very p, else tf.add. */
export function applyUpdates(params: Params, updates: Updates): tf.Tensor[] {
  return updates.map((u, i) => {
    const p = params[i]!;
    const r = precomputed.get(u);
    return r && r.from === p && !r.sum.isDisposed ? r.sum : tf.add(p, u);
  });
}
