/**
 * The one place that chooses between an optimizer's two forms: its composite recipe (the official
 * arithmetic in tf ops, every backend) and its fused twin (the same float32 ops in fewer passes, on
 * the backends with fused kernels). Both keep the same state under the same keys, so checkpoints
 * move freely between backends and between the forms; test/optim/fused*.test.ts hold them equal
 * bit for bit.
 */
import { fusedActive } from '../backends/kernels/kernel.js';
import type { GradientTransformation, StateTree } from './transform.js';

/** `composite`, whose update runs `fused`'s while the fused kernels are active. */
export function withFused<S extends StateTree>(composite: GradientTransformation<S>, fused: GradientTransformation<S> | undefined): GradientTransformation<S> {
  if (!fused) return composite;
  return {
    ...composite,
    update: (grads, state, params, ctx) => (fusedActive() ? fused : composite).update(grads, state, params, ctx),
  };
}
