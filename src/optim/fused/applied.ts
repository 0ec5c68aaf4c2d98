/**
 * A fused rule writes p + u (the facade's final add, in float32) in the same pass as the update u.
 * It records that value here, keyed by the update tensor and the parameter tensor it was added to,
 * so the facade assigns it instead of running one more add per parameter. Any transformation that
 * rewrites the update (wrappers, chains after the fused part) produces a new tensor, which has no
 * record, and the facade adds as before.
 */
import type * as tf from '../../backends/tf.js';

const applied = new WeakMap<tf.Tensor, { readonly from: tf.Tensor; readonly next: tf.Tensor }>();

export function recordApplied(update: tf.Tensor, from: tf.Tensor, next: tf.Tensor): void {
  applied.set(update, { from, next });
}

/** `from + update` if a fused rule already computed it from this very `from` tensor. */
export function appliedValue(update: tf.Tensor, from: tf.Tensor): tf.Tensor | undefined {
  const r = applied.get(update);
  return r && r.from === from && !r.next.isDisposed ? r.next : undefined;
}
