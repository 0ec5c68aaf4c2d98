import type * as tf from '../backends/tf.js';
import type { Entry } from '../core/registry.js';
import type { ParamSpec } from '../core/types.js';

/**
 * What the trainer hands a diagnostic. Every call works on one FIXED batch (the step's) in eval
 * mode (no dropout, no BatchNorm statistics update). `evaluate` follows the optimizer convention
 * (optim/transform.ts UpdateContext.evaluate): absolute values aligned with `params`, weights
 * restored afterwards; `offsetBy(params, offset)` gives θ + offset in that form. The caller of
 * evaluate/perExampleLoss owns (and disposes) the returned tensors, `at` stays the caller's.
 */
export interface DiagnosticContext {
  /** The optimizer's parameter list (model and loss-owned); `at` and grads are aligned with it. */
  readonly params: readonly ParamSpec[];
  readonly step: number;
  /** Mean loss and its gradients at the parameter values `at` (default: the current ones). */
  evaluate(at?: readonly tf.Tensor[]): { readonly loss: tf.Scalar; readonly grads: tf.Tensor[] };
  /** Per-example losses [batch] of the current θ through the training loss code path (train/step.ts forwardLoss). */
  perExampleLoss(): tf.Tensor1D;
}

export interface Diagnostic {
  /** Run every `every` optimizer steps. */
  readonly every: number;
  /** Values for metrics.jsonl; reads device values with `await t.data()`; leaves no tensors behind. */
  run(ctx: DiagnosticContext): Promise<Record<string, number>>;
}

export type DiagnosticDeps = Readonly<Record<string, unknown>>;
export type DiagnosticEntry<O = any> = Entry<O, Diagnostic, DiagnosticDeps>;
