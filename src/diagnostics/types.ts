import type * as tf from '../backends/tf.js';
import type { Entry } from '../core/registry.js';
import type { ParamSpec } from '../core/types.js';

/**
 * What the trainer hands a diagnostic. Every call works on one FIXED evaluation batch in eval mode
 * (no dropout, no BatchNorm statistics update); `evaluate(offset)` assigns θ + offset, computes the
 * mean loss and its gradients, and restores θ by copy. The caller of evaluate/perExampleLoss owns
 * (and disposes) the returned tensors.
 */
export interface DiagnosticContext {
  /** The optimizer's parameter list (model and loss-owned); grads and offsets are keyed by ParamSpec.name. */
  readonly params: readonly ParamSpec[];
  readonly step: number;
  evaluate(offset?: tf.NamedTensorMap): { readonly loss: tf.Scalar; readonly grads: tf.NamedTensorMap };
  /** Per-example losses [batch] of the current θ through exactly the training loss code path. */
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
