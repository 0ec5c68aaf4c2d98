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
   * over other batches (ctx.evaluateBatch); without it, an optimizer that asks for one fails.
   */
  step(closure: Closure, extra?: ExtraBatches): StepResult;
  /** Wrappers forward it to their base (GSAM's rho follows it). */
  setLearningRate(lr: number): void;
  /** Current scalar hyperparameters for metrics.jsonl: lr, rho, … */
  currentHyperparams(): Readonly<Record<string, number>>;
  /** Everything needed to continue identically (moments, counters, MoMo averages) as named tensors (clones). */
  getState(): tf.NamedTensorMap;
  setState(state: tf.NamedTensorMap): void;
  dispose(): void;
}

export type CreateOptimizer = (spec: Spec, params: readonly ParamSpec[]) => Optimizer;

/**
 * A schedule maps the 0-based optimizer step to a learning rate. One that reads an evaluation
 * metric (reduce-on-plateau) also carries an `observer`: the trainer hands it the named metric
 * after every evaluation and checkpoints its state.
 */
export type Schedule = ((step: number) => number) & { readonly observer?: MetricObserver };

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
  /** The optimizer's configured lr (the peak for warmup schedules). */
  readonly baseLr: number;
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
}
