/**
 * The scaffold every wrapper (sam, asam, gsam, gam, orthograd) shares: it keeps the base's state
 * under `base`, forwards the base's learning rate (schedules reach the base), reports the base's
 * hyperparameters beside the wrapper's own, and runs the base step with the gradient and from the
 * point the wrapper's update names. A wrapper file then holds only its own arithmetic.
 */
import * as tf from '../backends/tf.js';
import { zip } from '../backends/tree.js';
import { applyUpdates, withPrecomputedSum } from './apply.js';
import type { GradientTransformation, Params, StateTree, UpdateContext, Updates } from './transform.js';

export interface WrapperStep {
  /** The gradient the base steps with. */
  readonly grads: Updates;
  /** The weights the base steps from when they are not the step's start w (restored as (w + e) − e). */
  readonly from?: Params;
  /** The wrapper's own next state (a wrapper with `init`), stored beside `base`. */
  readonly state?: Readonly<Record<string, StateTree>>;
  /**
   * The step's final weights from the base's result θ' = from + u, when the official code acts
   * after the base step (AWP's restore θ' − γv, WSAM's decoupled θ' − lr·α·s): the parameters land
   * on them bit for bit.
   */
  readonly land?: (theta: Params) => tf.Tensor[];
}

/** A base step from `from` (update u) as an update relative to the step's start w. */
export type Rebase = (from: Params, u: Updates, w: Params) => tf.Tensor[];

/** (r + u) − w per tensor, the official codes' order: the base stepped from r, the facade adds to w. */
export const rebase: Rebase = (from, u, w) => zip(from, u, (r, ui, i) => tf.sub(tf.add(r, ui), w[i]!));

export interface Wrapper {
  /** The wrapper's arithmetic before the base step: further evaluations, the corrected gradient; `state` is its own (from `init`). */
  update(grads: Updates, w: Params, ctx: UpdateContext, state: Readonly<Record<string, StateTree>>): WrapperStep;
  /** The wrapper's own state (F-SAM's momentum, LookSAM's direction), checkpointed beside `base`. */
  init?(params: Params): Readonly<Record<string, StateTree>>;
  /** The wrapper's own hyperparameters (metrics.jsonl), reported after the base's. */
  hyperparams?(): Readonly<Record<string, number>>;
  /** How a step from `from` becomes relative to w; `rebase` unless a fused twin passes its kernel. */
  readonly rebase?: Rebase;
}

export function wrapBase(name: string, base: GradientTransformation, wrapper: Wrapper): GradientTransformation<{ readonly base: StateTree }> {
  const back = wrapper.rebase ?? rebase;
  return {
    name,
    init: (params) => ({ ...wrapper.init?.(params), base: base.init(params) }),
    update(grads, state, w, ctx) {
      const { base: baseState, ...own } = state as Record<string, StateTree>;
      const step = wrapper.update(grads, w, ctx, own);
      const [u, bs] = base.update(step.grads, baseState!, step.from ?? w, ctx);
      const next = { ...(step.state ?? own), base: bs };
      if (step.land) {
        const target = step.land(applyUpdates(step.from ?? w, u));
        return [target.map((t, i) => withPrecomputedSum(tf.sub(t, w[i]!), w[i]!, t)), next];
      }
      return [step.from ? back(step.from, u, w) : u, next];
    },
    ...(base.learningRate ? { learningRate: base.learningRate } : {}),
    hyperparams: () => ({ ...base.hyperparams?.(), ...wrapper.hyperparams?.() }),
  };
}
