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
  /** Optimizer steps done (1-based): the diagnostic runs after step `step` and sees its weights. */
  readonly step: number;
  /** The learning rate the schedule set for step `step` (what the optimizer just used, the η of 2/η). */
  readonly lr: number;
  /** Rows in the diagnostic batch (the step's batch); `rows` selections index into [0, batchSize). */
  readonly batchSize: number;
  /**
   * Mean loss and its gradients at the parameter values `at` (default: the current ones), on the
   * whole batch or on the selected `rows` of it (the loss then sees only those rows, as a batch).
   */
  evaluate(at?: readonly tf.Tensor[], rows?: RowSelection): { readonly loss: tf.Scalar; readonly grads: tf.Tensor[] };
  /** Per-example losses [batch] (or [rows]) of the current θ through the training loss code path (train/step.ts forwardLoss). */
  perExampleLoss(rows?: RowSelection): tf.Tensor1D;
  /**
   * The batch cut into `m` contiguous sub-batches of near-equal size (sizes differ by at most one,
   * the first ones larger; m ≤ batchSize): per-sub-batch gradients for gradient coherence / GSNR.
   */
  subBatches(m: number): readonly SubBatch[];
  /**
   * Writes `<run>/artifacts/<diagnostic name>/<name>` atomically (replacing it) and returns its path
   * relative to the run folder; summary.json lists every file under artifacts/. `name` is a plain
   * file name (letters, digits, `._-`). Outside a run (unit tests) the context may keep them in memory.
   */
  artifact(name: string, data: string | Uint8Array): string;
  /** The content of this diagnostic's artifact `name` as written so far (this session or, after a resume, an earlier one). */
  readArtifact(name: string): string | undefined;
}

/** Rows of the diagnostic batch: explicit row numbers or the half-open range [start, end). */
export type RowSelection = Int32Array | { readonly start: number; readonly end: number };

/** One slice of the diagnostic batch, with the context's evaluate/perExampleLoss bound to it. */
export interface SubBatch {
  readonly rows: { readonly start: number; readonly end: number };
  evaluate(at?: readonly tf.Tensor[]): { readonly loss: tf.Scalar; readonly grads: tf.Tensor[] };
  perExampleLoss(): tf.Tensor1D;
}

export interface Diagnostic {
  /** Run every `every` optimizer steps. */
  readonly every: number;
  /** Values for metrics.jsonl; reads device values with `await t.data()`; leaves no tensors behind. */
  run(ctx: DiagnosticContext): Promise<Record<string, number>>;
  /**
   * Keys added to summary.json's `final` when a session ends, computed from all the run's metric rows
   * (e.g. the first step a metric reaches a threshold); absent keys mean "not reached".
   */
  summarize?(rows: readonly MetricRowLike[]): Record<string, number>;
}

/** A metrics.jsonl row as diagnostics read it (run/run-folder.ts MetricRow, without importing upwards). */
export interface MetricRowLike {
  readonly step: number;
  readonly split: string;
  readonly eval?: unknown;
  readonly [metric: string]: unknown;
}

export type DiagnosticDeps = Readonly<Record<string, unknown>>;
export type DiagnosticEntry<O = any> = Entry<O, Diagnostic, DiagnosticDeps> & {
  /** What the diagnostic reads beyond any model (config/rules.ts checks it before anything runs). */
  readonly needs?: { readonly model?: readonly string[] };
};
