/**
 * A recipe (optional clipping, then parts chained) whose update runs a fused core on the backends
 * with fused kernels and the composite chain elsewhere. State layout and names are the chain's, so
 * checkpoints move freely between backends and between the two paths.
 */
import * as tf from '../../backends/tf.js';
import { chain, type GradientTransformation, type Params, type StateTree, type UpdateContext, type Updates } from '../transform.js';
import { clipByGlobalNorm } from '../transforms/clip-by-global-norm.js';
import { recordApplied } from './applied.js';
import { fusedActive } from './kernel.js';

export type State = Record<string, StateTree>;

/** Runs on the (clipped) gradients; returns the updates and the chain parts' states it replaced. */
export type FusedCore = (grads: Updates, state: State, params: Params, ctx: UpdateContext) => readonly [Updates, State];

export function fusedRecipe(clip: number | null, parts: readonly GradientTransformation<any>[], core: FusedCore): GradientTransformation {
  const clipT = clip === null ? null : clipByGlobalNorm(clip);
  const composite = chain(...(clipT ? [clipT, ...parts] : parts));
  return {
    ...composite,
    update(grads, state, params, ctx) {
      if (!fusedActive()) return composite.update(grads, state as State, params, ctx);
      const s = state as State;
      const g = clipT ? clipT.update(grads, s[clipT.name!] as Record<string, never>, params, ctx)[0] : grads;
      const [u, changed] = core(g, s, params, ctx);
      return [u, { ...s, ...changed }];
    },
  };
}

/**
 * Runs a fused kernel per parameter whose last two outputs are the update u and p + u (recorded for
 * the facade); returns the updates and, per parameter, the leading (state) outputs.
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
    recordApplied(u, p, next);
    updates.push(u);
    states.push(outs);
  });
  return { updates, states };
}

/** Column `k` of per-parameter state outputs. */
export const column = (states: readonly tf.Tensor[][], k: number): tf.Tensor[] => states.map((s) => s[k]!);
