/**
 * The optimizer facade's contract: what the trainer, checkpoints, `minima replay` and library
 * users rely on. The transformation core behind it (init/update pairs, chain, wrappers) lives in
 * the other files of src/optim.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ParamSpec } from '../core/types.js';
import type { Spec } from '../core/registry.js';

/**
 * How an evaluation turns the loss's per-example values [batch] into the scalar it differentiates,
 * when an optimizer needs another objective than their mean (RWP's proxy steps: the mean of the
 * values below c_min). A batch-level loss hands it its scalar.
 */
export type Reduce = (values: tf.Tensor) => tf.Scalar;

/**
 * Loss and gradients at the CURRENT variable values, same batch every call, never mutates variables.
 * `reduce` (absent: the mean) is honoured by the trainer's closures; a closure over a problem
 * without per-example values may ignore it.
 */
export type Closure = (reduce?: Reduce) => { readonly loss: tf.Scalar; readonly grads: readonly tf.Tensor[] };

/**
 * The closures over a step's EXTRA batches: `batch(k)` is the closure of the k-th extra batch of this
 * step (0-based), other train rows than the step's own, drawn as a pure function of (seed, step, k),
 * so a resumed run draws the same ones. The same k gives the same rows within a step.
 */
export type ExtraBatches = (k: number) => Closure;

/**
 * The model's outputs (logits, [batch, classes]) on the step's batch at the CURRENT variable values,
 * with the step's forward options (training mode, its dropout masks; BatchNorm statistics not
 * moved), no gradients: what a JVP of the logits by finite differences reads (ghost-step).
 */
export type Outputs = () => tf.Tensor;

/**
 * Loss and gradients of the mean softmax cross-entropy of the model's outputs on the step's batch
 * against labels drawn from those outputs (one per row of logits, inverse CDF of the softmax at
 * uniforms from `seed`), at the CURRENT values: Sophia's Gauss–Newton–Bartlett estimator, which
 * train_sophiag.py computes with Categorical(logits).sample(). `rows` is the number of labels drawn.
 */
export type SampledLabels = (seed: number) => { readonly loss: tf.Scalar; readonly grads: readonly tf.Tensor[]; readonly rows: number };

/** What a step may read besides its closure and extra batches; each is optional (types above). */
export interface StepSources {
  readonly outputs?: Outputs;
  readonly sampled?: SampledLabels;
}

export interface StepResult {
  /** Loss of the FIRST evaluation, before any perturbation. */
  readonly loss: tf.Scalar;
  /** Closure calls this step: SGD/Adam 1, SAM/ASAM/GSAM 2, GAM 4. */
  readonly gradEvals: number;
  /** Per-step values computed on the device (MoMo tau, SAM grad_norm …); read them asynchronously. */
  readonly diagnostics?: Readonly<Record<string, tf.Scalar>>;
}

export interface Optimizer {
  /** The fully resolved spec with every default filled in (official hyperparameter names). */
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  /** The configured learning rate (of the innermost base for wrappers): what schedules scale. */
  readonly learningRate: number;
  /**
   * Call inside tf.tidy; the returned tensors belong to the caller's scope. `extra` supplies closures
   * over other batches (ctx.evaluateBatch); `sources` the model's outputs (ctx.outputs: ghost-step)
   * and the closure with labels drawn from the model (ctx.evaluateSampled: Sophia's GNB). Without
   * them, an optimizer that asks for one fails.
   */
  step(closure: Closure, extra?: ExtraBatches, sources?: StepSources): StepResult;
  /** Wrappers forward it to their base (GSAM's rho follows it). */
  setLearningRate(lr: number): void;
  /**
   * A scheduled hyperparameter other than lr, by its path in the optimizer spec (`momentum`,
   * `base.rho`): `schedules:` entries and one-cycle's momentum drive it through here before each step.
   * Only the paths built as scheduled (createOptimizer's `scheduled`) can be set.
   */
  setHyperparameter(path: string, value: number): void;
  /** The current value of a schedulable hyperparameter (its configured value until set): what its schedule scales. */
  getHyperparameter(path: string): number;
  /** Current scalar hyperparameters for metrics.jsonl: lr, rho, … */
  currentHyperparams(): Readonly<Record<string, number>>;
  /** Everything needed to continue identically (moments, counters, MoMo averages) as named tensors (clones). */
  getState(): tf.NamedTensorMap;
  setState(state: tf.NamedTensorMap): void;
  dispose(): void;
}

export type CreateOptimizer = (spec: Spec, params: readonly ParamSpec[]) => Optimizer;

/**
 * A schedule maps the 0-based optimizer step to a learning rate (or, under `schedules:`, to the
 * value of another hyperparameter). One that reads an evaluation metric (reduce-on-plateau) also
 * carries an `observer`: the trainer hands it the named metric after every evaluation and
 * checkpoints its state. One-cycle with cycle_momentum also carries `momentum`: the momentum (or
 * β1) it drives inversely to lr, set on the optimizer each step beside lr.
 */
export type Schedule = ((step: number) => number) & {
  readonly observer?: MetricObserver;
  readonly momentum?: (step: number) => number;
};

/** The metric-driven part of a schedule: what it reads, what it remembers. */
export interface MetricObserver {
  /** `<split>.<metric>` of an evaluation row: `test.loss`, `train.accuracy`. */
  readonly metric: string;
  observe(value: number): void;
  /** Plain JSON (no Infinity) for the checkpoint's state.json. */
  getState(): Readonly<Record<string, number | null>>;
  setState(state: Readonly<Record<string, number | null>>): void;
}
export interface ScheduleDeps {
  /** The optimizer's configured lr (the peak for warmup schedules); under `schedules:`, the configured value of the hyperparameter it drives. */
  readonly baseLr: number;
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
}
