/**
 * The interfaces every registry kind implements. Kept in one file so that datasets, models,
 * losses, optimizers and the trainer agree on shapes without importing each other.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './random.js';

/** A trainable tensor with the facts optimizers need (ASAM's weight rule reads `role`). */
export interface ParamSpec {
  /** Unique name; the list order fixes how optimizer state lines up with parameters. */
  readonly name: string;
  readonly variable: tf.Variable;
  /** BN gamma and embedding tables count as 'kernel' (the torch "weight" rule of ASAM). */
  readonly role: 'kernel' | 'bias';
  readonly owner: 'model' | 'loss';
}

/* ------------------------------------------------------------------ data */

export type Task = 'classification' | 'regression';
export type SplitName = 'train' | 'test';

export interface DataSpec {
  readonly task: Task;
  /** Per-example input shape, e.g. [28, 28, 1] for images, [784] for vectors, [2] for token pairs. */
  readonly inputShape: readonly number[];
  /** 'tokens': int32 ids in [0, vocabSize) (embedding models); 'dense': float32 features. */
  readonly inputKind: 'dense' | 'tokens';
  readonly vocabSize?: number;
  /** Number of classes (classification) or 0 (regression). */
  readonly numClasses: number;
  /** Width of the model's output: numClasses for classification, target dimension for regression. */
  readonly outputDim: number;
  /** Examples per class in the train split (after transforms); for long-tail losses and reports. */
  readonly classCounts?: readonly number[];
  readonly classNames?: readonly string[];
  /**
   * Number of groups (domains, (label, attribute) cells) when every example carries a group id in
   * [0, numGroups) (SplitData.group); absent for datasets without groups.
   */
  readonly numGroups?: number;
  /** Examples per group in the train split (after transforms), when the dataset has groups. */
  readonly groupCounts?: readonly number[];
  /**
   * A return series (the `returns` dataset): targets are next-period returns in time order, and
   * evaluation adds the trading metrics of a sign strategy annualised with this many periods a year.
   */
  readonly periodsPerYear?: number;
}

/** Raw examples of one split as flat typed arrays (row-major, `n` rows). */
export interface SplitData {
  readonly n: number;
  readonly x: Float32Array | Int32Array;
  /** Class ids (Int32Array) or regression targets (Float32Array, n × outputDim). */
  readonly y: Int32Array | Float32Array;
  /** The labels before label noise, when noise was injected. */
  readonly cleanY?: Int32Array;
  /** Group ids in [0, DataSpec.numGroups), when the dataset has groups. */
  readonly group?: Int32Array;
}

export interface BatchArrays {
  readonly x: Float32Array | Int32Array;
  readonly y: Int32Array | Float32Array;
  /** Labels before noise, for "clean accuracy" under label noise. */
  readonly cleanY?: Int32Array;
  /** The rows' group ids, when the dataset has groups (DataSpec.numGroups). */
  readonly group?: Int32Array;
}

export interface Dataset {
  readonly spec: DataSpec;
  readonly sizes: Readonly<Record<SplitName, number>>;
  /** Facts recorded in meta.json: source, split sizes, realised noise rate, normalisation stats. */
  readonly meta: Readonly<Record<string, unknown>>;
  /** True when gathering the train split with an rng augments it (rows then differ per step). */
  readonly augmented: boolean;
  /**
   * Rows `indices` of a split, with the split's transforms applied. Train-time augmentation draws
   * from `rng` (seeded by the trainer per step), so batches are reproducible. `into`, when it has
   * exactly indices.length × input size elements of the input dtype, receives x (every element
   * written) instead of a new array: the trainer reuses one where the backend copies tensor data
   * on creation.
   */
  gather(split: SplitName, indices: Int32Array, rng?: Rng, into?: Float32Array | Int32Array): BatchArrays;
}

export interface DatasetDeps {
  /** The problem (data) seed, separate from the run seed. */
  readonly seed: number;
  /** Root folder of local data files (default: <cwd>/datasets). */
  readonly root: string;
  /** Folder of the config file, for relative paths. */
  readonly configDir: string;
}

/* ---------------------------------------------------------------- models */

export interface ApplyOptions {
  readonly training: boolean;
  /** Seed for dropout masks of this forward pass (same seed ⇒ same masks: SAM's passes agree). */
  readonly dropoutSeed?: number;
  /** BatchNorm momentum of this training-mode pass (absent: the model's own, torch's 0.1); SWA's bn_update sets b/(n + b). */
  readonly bnMomentum?: number;
}

export interface ModelOutput {
  /** Logits [batch, K] / regression outputs [batch, D], or embeddings when the head is 'embeddings'. */
  readonly output: tf.Tensor;
  /** Penultimate features [batch, E] (for OPL and metric-learning losses). */
  readonly embedding: tf.Tensor;
  /** New values for buffers (BN running stats) computed in training mode; the trainer assigns them once per step. */
  readonly updates?: readonly (readonly [tf.Variable, tf.Tensor])[];
  /**
   * Multi-sample dropout (training only): the head's outputs on K dropout masks of the shared
   * features; the training loss is the mean of the K losses (forwardLoss), `output` their mean.
   */
  readonly samples?: readonly tf.Tensor[];
}

export interface Model {
  readonly params: readonly ParamSpec[];
  /** Non-trainable state saved in checkpoints (BN running mean/variance). */
  readonly buffers: readonly { readonly name: string; readonly variable: tf.Variable }[];
  readonly paramCount: number;
  readonly embeddingDim: number;
  apply(x: tf.Tensor, options: ApplyOptions): ModelOutput;
  dispose(): void;
}

export interface ModelDeps {
  readonly data: DataSpec;
  /** Init seed (from the run seed). */
  readonly seed: number;
  /**
   * 'embeddings': the loss owns the classifier (ArcFace …), so the model stops at the embedding;
   * 'binary': one logit f(x) for a 2-class dataset (margin losses: m = y·f with y = ±1);
   * 'gaussian': 2·D outputs for a D-dim regression target, [mean | log-variance] (gaussian-nll).
   */
  readonly head: 'logits' | 'embeddings' | 'binary' | 'gaussian';
}

/* ---------------------------------------------------------------- losses */

export interface LossNeeds {
  readonly input: 'logits' | 'embeddings';
  /** 'batch': compute() returns a scalar for the whole batch instead of per-example values. */
  readonly reduction: 'per-example' | 'batch';
  readonly task: Task | 'any';
  /** The loss re-runs the model on other inputs: forwardLoss fills LossInput.x and LossContext.apply. */
  readonly inputs?: boolean;
  /** The loss distils from the EMA of the weights: the trainer fills Batch.teacher (LossInput.teacher) in training steps. */
  readonly teacher?: boolean;
}

/**
 * One batch on the device, as the trainer's forward pass (train/step.ts forwardLoss) reads it. Facts
 * that come one per row (row ids, group ids) become optional fields here; forwardLoss hands them on
 * to LossInput, so no loss that ignores them changes. Every field is a tensor with one row per
 * example (train.accumulate slices them all into micro-batches).
 */
export interface Batch {
  /** [batch, ...inputShape]: float32 features or int32 tokens. */
  readonly x: tf.Tensor;
  /** int32 class ids [batch] or float targets [batch, D]. */
  readonly y: tf.Tensor;
  /**
   * int32 [batch]: the rows' ids in their split (train-split ids while training, the evaluated
   * split's ids in evaluation), so a loss can key per-example state by example.
   */
  readonly index: tf.Tensor1D;
  /** int32 [batch]: the rows' group ids in [0, DataSpec.numGroups), when the dataset has groups. */
  readonly group?: tf.Tensor1D;
  /**
   * float32 [batch, K]: soft targets (rows sum to 1), when a batch transform (train.mix: mixup,
   * cutmix) mixed the rows; `y` keeps the rows' own labels.
   */
  readonly target?: tf.Tensor2D;
  /**
   * float32 [batch, K]: the EMA teacher's outputs on these rows (train.ema's weights and buffers,
   * eval mode, no gradient), computed once per step for losses whose needs.teacher is set (mesa).
   */
  readonly teacher?: tf.Tensor2D;
}

/** What a loss sees of one batch: the model's outputs and the batch's per-row fields (built by forwardLoss only). */
export interface LossInput {
  readonly output: tf.Tensor;
  readonly embedding?: tf.Tensor;
  /** int32 class ids [batch] or float targets [batch, D]. */
  readonly y: tf.Tensor;
  /** int32 [batch]: the rows' ids in the split named by LossContext.split (Batch.index). */
  readonly index?: tf.Tensor1D;
  /** int32 [batch]: the rows' group ids (Batch.group), when the dataset has groups. */
  readonly group?: tf.Tensor1D;
  /** The batch inputs (Batch.x), only for losses whose needs.inputs is true (VAT). */
  readonly x?: tf.Tensor;
  /** float32 [batch, K]: soft targets (Batch.target), when train.mix mixed the batch; read by losses with needs.softTargets. */
  readonly target?: tf.Tensor2D;
  /** float32 [batch, K]: the EMA teacher's outputs (Batch.teacher), in training steps, for losses with needs.teacher (mesa). */
  readonly teacher?: tf.Tensor2D;
}

/**
 * The per-call facts of a loss, one object passed whole through compute, probabilities and commit.
 * It is the extension point for facts a loss may read beyond its input (the learning rate,
 * per-example state, closures at other weights or inputs): a new fact is an OPTIONAL field here,
 * filled where the trainer builds the context (train/step.ts stepContext, which the diagnostics
 * reuse; train/evaluate.ts for evaluation), and losses that do not read it are untouched.
 * Per-row tensors go to Batch/LossInput instead.
 */
export interface LossContext {
  readonly step: number;
  readonly epoch: number;
  readonly training: boolean;
  readonly data: DataSpec;
  /** Seed for randomness inside the loss (ElasticFace margins), fixed per step. */
  readonly seed: number;
  /** The split the batch's rows (LossInput.index) come from: 'train' while training. */
  readonly split?: SplitName;
  /**
   * The model at the current weights on other inputs, for losses whose needs.inputs is true (VAT):
   * the same training flag and dropout masks as the step's own pass, and BatchNorm running
   * statistics never move (its `updates` are dropped). Differentiable w.r.t. its input and the weights.
   */
  readonly apply?: (x: tf.Tensor) => ModelOutput;
}

export interface Objective {
  readonly needs: LossNeeds;
  /** Loss-owned trainable variables (owner: 'loss'); they join the optimizer's parameters. */
  readonly variables: readonly ParamSpec[];
  /** Per-example losses [batch] (or a scalar when needs.reduction is 'batch'). */
  compute(input: LossInput, ctx: LossContext): tf.Tensor;
  /** Class probabilities [batch, K] for metrics (softmax by default; sparsemax, stablemax … where the loss says so). */
  probabilities?(input: LossInput, ctx: LossContext): tf.Tensor2D;
  /**
   * Regression predictions [batch, D] for the metrics when the model output is not the prediction
   * itself (gaussian-nll: the mean half of [mean | log-variance]); the output by default.
   */
  predictions?(input: LossInput, ctx: LossContext): tf.Tensor2D;
  /** Once per step (never inside compute: SAM-type optimizers call compute several times). */
  commit?(input: LossInput, ctx: LossContext): void;
  /** Clones of the loss state; the caller disposes them. */
  getState?(): tf.NamedTensorMap;
  setState?(state: tf.NamedTensorMap): void;
  dispose(): void;
}

export interface LossDeps {
  readonly data: DataSpec;
  /** Rows per split after the dataset's transforms: the row count of per-example state. */
  readonly sizes: Readonly<Record<SplitName, number>>;
  readonly seed: number;
  /** Width of the model's embedding (for losses that own a classifier). */
  readonly embeddingDim: number;
}
