/**
 * What the fused twins of the descent rules share: the composite's (optional) clipping, then a
 * fused core in place of the chain's parts. The twin keeps the composite's init, learning rate and
 * hyperparameters, so its state layout and names are the chain's.
 */
import type * as tf from '../../backends/tf.js';
import { withPrecomputedSum } from '../apply.js';
import type { GradientTransformation, Params, StateTree, UpdateContext, Updates } from '../transform.js';
import { clipByGlobalNorm } from '../transforms/clip-by-global-norm.js';

export type State = Record<string, StateTree>;

/** Runs on the (clipped) gradients; returns the updates and the chain parts' states it replaced. */
export type FusedCore = (grads: Updates, state: State, params: Params, ctx: UpdateContext) => readonly [Updates, State];

/** `composite` (clipping by `clip`, then parts) with its parts' update replaced by `core`. */
export function fusedRecipe(clip: number | null, composite: GradientTransformation, core: FusedCore): GradientTransformation {
  const clipT = clip === null ? null : clipByGlobalNorm(clip);
  return {
    ...composite,
    update(grads, state, params, ctx) {
      const s = state as State;
      const g = clipT ? clipT.update(grads, s[clipT.name!] as Record<string, never>, params, ctx)[0] : grads;
      const [u, changed] = core(g, s, params, ctx);
      return [u, { ...s, ...changed }];
    },
  };
}

/**
 * Runs a fused kernel per parameter whose last two outputs are the update u and p + u (handed to
 * applyUpdates); returns the updates and, per parameter, the leading (state) outputs.
 */
export function perParam(
  params: Params,
  run: (i: number) => tf.Tensor[],
): { updates: tf.Tensor[]; states: tf.Tensor[][] } {
  const updates: tf.Tensor[] = [];
  const states: tf.Tensor[][] = [];
  params.forEach((p, i) => {
    const outs = run(i);
    const next = outs.pop()!;
    const u = outs.pop()!;
    updates.push(withPrecomputedSum(u, p, next));
    states.push(outs);
  });
  return { updates, states };
}

/** Column `k` of per-parameter state outputs. */
export const column = (states: readonly tf.Tensor[][], k: number): tf.Tensor[] => states.map((s) => s[k]!);
