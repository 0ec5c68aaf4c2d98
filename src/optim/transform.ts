/**
 * The optimizer core: an optimizer is an (init, update) pair (optax's GradientTransformation).
 * `update` is pure and synchronous so a whole training step fits in one tf.tidy; updates are ADDED
 * to the parameters (descent ⇒ negative), and `scaleByLearningRate` flips the sign at the end of a
 * recipe. Trees are ordered tensor lists aligned with `UpdateContext.params`.
 */
import type * as tf from '../backends/tf.js';
import type { Tree } from '../backends/tree.js';
import type { GroupedParam } from './param-groups.js';
import type { Reduce } from './types.js';

export type Params = Tree;
export type Updates = Tree;

/** Optimizer state: tensors only (counters are float32 scalars), so it flattens into a NamedTensorMap. */
export type StateTree = tf.Tensor | readonly StateTree[] | { readonly [key: string]: StateTree };

export interface Evaluation {
  readonly loss: tf.Scalar;
  readonly grads: Updates;
}

/**
 * Loss and gradients on the CURRENT batch at the absolute parameter values `at`; the variables are
 * restored to the step's starting values (exactly, by reference) afterwards. Wrappers compute `at`
 * with the official code's arithmetic; the facade counts calls into StepResult.gradEvals. `reduce`
 * replaces the mean of the per-example losses (types.ts Reduce; RWP).
 */
export type Evaluate = (at: Params, reduce?: Reduce) => Evaluation;

export interface UpdateContext {
  /** Loss at the step's starting parameters (the first evaluation): MoMo, Polyak-type steps. */
  readonly loss: tf.Scalar;
  /** Further evaluations on the same batch (SAM family, GAM). */
  readonly evaluate: Evaluate;
  /**
   * Loss and gradients on the step's k-th EXTRA batch (other train rows, a pure function of the
   * seed, the step and k: Fish's per-domain batches, micro-batch procedures), at `at` (default: the
   * step's starting values); the variables are restored afterwards. Counted in gradEvals. `reduce` as
   * in Evaluate.
   */
  evaluateBatch(k: number, at?: Params, reduce?: Reduce): Evaluation;
  /**
   * The model's outputs (logits) on the step's batch at `at` (default: the step's starting values),
   * no gradients, not counted in gradEvals; the variables are restored afterwards (ghost-step's JVP).
   */
  outputs(at?: Params): tf.Tensor;
  /**
   * Loss and gradients on the step's batch with labels drawn from the model's own outputs by `seed`
   * (types.ts SampledLabels), at the step's starting values; `rows`: labels drawn. Counted in
   * gradEvals. Absent when the caller supplied no such closure (a problem without class logits).
   */
  readonly evaluateSampled?: (seed: number) => Evaluation & { readonly rows: number };
  /**
   * Aligned with every tree: names and roles (ASAM's weight rule, ⊥Grad's filter); inside a descent
   * rule also its groups' facts (`decay`, `lrScale`: param-groups.ts).
   */
  readonly params: readonly GroupedParam[];
  /** Per-step values for StepResult.diagnostics (MoMo tau, SAM grad_norm, GAM cosine). */
  report(name: string, value: tf.Scalar): void;
}

/**
 * A mutable scalar hyperparameter shared by the parts of a recipe: the learning rate, and the
 * options a `schedules:` entry drives (momentum, β1, weight decay, ρ). The trainer sets `value`
 * before each step; the parts read it inside `update`. `scheduled` is fixed at build: a part may
 * then not take a shortcut that assumes the value stays (trace's missing buffer at momentum 0).
 */
export interface Hyper {
  value: number;
  readonly scheduled?: boolean;
}

/** A hyperparameter given either as a constant or as a Hyper a schedule may drive. */
export type HyperValue = number | Hyper;

/** The value of `h` for the step being taken. */
export const hyperValue = (h: HyperValue): number => (typeof h === 'number' ? h : h.value);

/** Whether `h` may change between steps. */
export const isScheduled = (h: HyperValue): boolean => typeof h !== 'number' && h.scheduled === true;

export interface GradientTransformation<S extends StateTree = StateTree> {
  /** Used as this part's key in a chain's state (stable checkpoint names). */
  readonly name?: string;
  init(params: Params): S;
  /** Pure and synchronous. Returns the new state; the caller keeps it and disposes the old one. */
  update(grads: Updates, state: S, params: Params, ctx: UpdateContext): readonly [Updates, S];
  /** The learning rate a schedule drives (wrappers expose their base's). */
  readonly learningRate?: Hyper;
  /**
   * The other hyperparameters a `schedules:` entry can drive, by their path in the optimizer spec
   * (`momentum`, `beta1` for betas[0], `weight_decay`, `rho`; a wrapper's base's under `base.`).
   */
  readonly hypers?: Readonly<Record<string, Hyper>>;
  /** Current scalar hyperparameters for metrics.jsonl (lr, rho, …). */
  hyperparams?(): Readonly<Record<string, number>>;
}

/** Folds the updates through the parts in order; each part keeps its own state under its name. */
export function chain(...parts: readonly GradientTransformation<any>[]): GradientTransformation<Record<string, StateTree>> {
  const keys = parts.map((p, i) => p.name ?? String(i));
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) throw new Error(`chain: two parts are named "${dup}"`);
  const learningRate = parts.find((p) => p.learningRate)?.learningRate;
  const hypers = Object.assign({}, ...parts.map((p) => p.hypers ?? {})) as Record<string, Hyper>;
  return {
    init(params) {
      const state: Record<string, StateTree> = {};
      parts.forEach((p, i) => { state[keys[i]!] = p.init(params); });
      return state;
    },
    update(grads, state, params, ctx) {
      let u = grads;
      const next: Record<string, StateTree> = {};
      parts.forEach((p, i) => {
        const [nu, ns] = p.update(u, state[keys[i]!], params, ctx);
        u = nu;
        next[keys[i]!] = ns;
      });
      return [u, next];
    },
    ...(learningRate ? { learningRate } : {}),
    ...(Object.keys(hypers).length > 0 ? { hypers } : {}),
    hyperparams() {
      return Object.assign({}, ...parts.map((p) => p.hyperparams?.() ?? {})) as Record<string, number>;
    },
  };
}

/** A transformation without state. */
export function stateless(
  name: string,
  fn: (grads: Updates, params: Params, ctx: UpdateContext) => Updates,
): GradientTransformation<Record<string, never>> {
  return {
    name,
    init: () => ({}),
    update: (grads, state, params, ctx) => [fn(grads, params, ctx), state],
  };
}

export function identity(): GradientTransformation<Record<string, never>> {
  return stateless('identity', (g) => g);
}
