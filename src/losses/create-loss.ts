/**
 * createLoss: the library entry point. `createLoss({name: 'focal', gamma: 2})` returns a function
 * (predictions, targets) → per-example losses [batch], with the loss's own weights as `variables`.
 * What the trainer gets from the dataset and model (classes, embedding width, task) is inferred
 * from the first call unless given as options; give them up front to have `variables` before
 * the first call (e.g. to hand them to an optimizer).
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import { hashSeed } from '../core/random.js';
import type { Spec } from '../core/registry.js';
import type { DataSpec, LossContext, LossDeps, Objective, ParamSpec, Task } from '../core/types.js';
import { createObjective, lossRegistry } from './loss-registry.js';
import { effectiveNeeds } from './needs.js';

export interface LossFunctionOptions {
  /** Classes K. Inferred from the logits' width; required for losses that take embeddings (arcface, harmonic …). */
  readonly numClasses?: number;
  /** Embedding width D for losses that own a classifier; inferred from the first call's predictions. */
  readonly embeddingDim?: number;
  /** Inferred from the targets: int32 class ids → classification, float → regression. */
  readonly task?: Task;
  /** Seed of loss-owned weights and of per-step randomness (ElasticFace margins); default 0. */
  readonly seed?: number;
  /** Training examples N, for losses that keep per-example state (ALDR-KL's λ_i, SAF's past outputs); default 0. */
  readonly rows?: number;
  /** Groups G, for losses that read group ids (group-dro); pass the ids as the context's `group`. */
  readonly numGroups?: number;
  /** Train examples per group, for group-dro's `adj` (C/√n_g). */
  readonly groupCounts?: readonly number[];
  /** Train examples per class, for the long-tail losses (vs, ldam, logit-adjusted, balanced-softmax, class-balanced). */
  readonly classCounts?: readonly number[];
}

/** Per-call context; `seed` defaults to a hash of (options.seed, step) so each step draws anew. */
export interface LossCallContext extends Partial<LossContext> {
  /** Penultimate features, for terms such as orthogonal-projection. */
  readonly embedding?: tf.Tensor;
  /** int32 [batch]: the rows' example ids, for losses with per-example state. */
  readonly index?: tf.Tensor1D;
  /** int32 [batch]: the rows' group ids in [0, numGroups), for losses that read groups (group-dro). */
  readonly group?: tf.Tensor1D;
  /** The batch inputs, with `apply` (the model on other inputs), for losses that perturb inputs (vat). */
  readonly x?: tf.Tensor;
  /** [batch, K]: a teacher's outputs on the batch, for losses that distil from one (mesa). */
  readonly teacher?: tf.Tensor2D;
}

export interface LossFunction {
  /** Per-example losses [batch]. A batch-level loss (anyloss, OPL) is broadcast, so the mean is its value. */
  (predictions: tf.Tensor, targets: tf.Tensor, context?: LossCallContext): tf.Tensor1D;
  readonly spec: Spec;
  /** The built objective, or undefined before the first call when the options did not say enough. */
  readonly objective: Objective | undefined;
  /** Loss-owned trainable weights (owner 'loss'); empty until built. */
  readonly variables: readonly ParamSpec[];
  /** The loss's probability map (softmax unless the loss has its own: sparsemax, stablemax, harmax …). */
  probabilities(predictions: tf.Tensor, context?: LossCallContext): tf.Tensor2D;
  /** Once per optimizer step, for losses with per-step state. */
  commit(predictions: tf.Tensor, targets: tf.Tensor, context?: LossCallContext): void;
  dispose(): void;
}

export function createLoss(spec: Spec | string, options: LossFunctionOptions = {}): LossFunction {
  const s: Spec = typeof spec === 'string' ? { name: spec } : spec;
  const resolved = lossRegistry.resolve(s, ['loss']);
  const entryNeeds = effectiveNeeds(lossRegistry, resolved);
  const takesEmbeddings = entryNeeds?.input === 'embeddings';
  // a binary-head loss reads one logit of a 2-class problem
  const binary = entryNeeds?.head === 'binary';
  const baseSeed = options.seed ?? 0;
  let objective: Objective | undefined;

  const build = (width: number, task: Task): Objective => {
    if (objective) return objective;
    const classification = task === 'classification';
    if (classification && takesEmbeddings && options.numClasses === undefined) {
      throw new RunnerError('USAGE', `loss "${s.name}" takes embeddings, so createLoss needs the option numClasses`);
    }
    const numClasses = classification ? (options.numClasses ?? (binary ? 2 : width)) : 0;
    const data: DataSpec = {
      task,
      inputShape: [],
      inputKind: 'dense',
      numClasses,
      outputDim: classification ? numClasses : width,
      ...(options.numGroups !== undefined ? { numGroups: options.numGroups } : {}),
      ...(options.groupCounts !== undefined ? { groupCounts: options.groupCounts } : {}),
      ...(options.classCounts !== undefined ? { classCounts: options.classCounts } : {}),
    };
    const deps: LossDeps = { data, sizes: { train: options.rows ?? 0, test: 0 }, seed: baseSeed, embeddingDim: options.embeddingDim ?? width };
    objective = createObjective(resolved, deps);
    return objective;
  };

  // Enough facts up front: build now so `variables` exist before the first call.
  if (options.task === 'classification' || (options.task === undefined && options.numClasses !== undefined)) {
    const width = takesEmbeddings ? options.embeddingDim : options.numClasses;
    if (width !== undefined && options.numClasses !== undefined) build(width, 'classification');
  }

  const contextOf = (c: LossCallContext | undefined, task: Task, width: number): LossContext => {
    const step = c?.step ?? 0;
    return {
      step,
      epoch: c?.epoch ?? 0,
      training: c?.training ?? true,
      seed: c?.seed ?? hashSeed(baseSeed, 'loss-step', step),
      data: c?.data ?? { task, inputShape: [], inputKind: 'dense', numClasses: options.numClasses ?? (binary ? 2 : width), outputDim: binary ? 2 : width },
      ...(c?.apply ? { apply: c.apply } : {}),
    };
  };
  const taskOf = (targets: tf.Tensor | undefined): Task => options.task ?? (targets === undefined || targets.dtype === 'int32' ? 'classification' : 'regression');
  const widthOf = (p: tf.Tensor) => p.shape[p.rank - 1] ?? 1;

  const fn = ((predictions: tf.Tensor, targets: tf.Tensor, context?: LossCallContext) => {
    const task = taskOf(targets);
    const width = widthOf(predictions);
    const o = build(width, task);
    return tf.tidy(() => {
      const input = { output: predictions, y: targets, ...(context?.embedding ? { embedding: context.embedding } : {}), ...(context?.index ? { index: context.index } : {}), ...(context?.group ? { group: context.group } : {}), ...(context?.x ? { x: context.x } : {}), ...(context?.teacher ? { teacher: context.teacher } : {}) };
      const v = o.compute(input, contextOf(context, task, width));
      return (v.rank === 0 ? tf.mul(tf.ones([predictions.shape[0] ?? 1]), v) : v) as tf.Tensor1D;
    });
  }) as LossFunction;

  Object.defineProperties(fn, {
    spec: { value: s, enumerable: true },
    objective: { get: () => objective, enumerable: true },
    variables: { get: () => objective?.variables ?? [], enumerable: true },
  });
  Object.assign(fn, {
    probabilities(predictions: tf.Tensor, context?: LossCallContext): tf.Tensor2D {
      const task = taskOf(undefined);
      const width = widthOf(predictions);
      const o = build(width, task);
      const y = tf.zeros([predictions.shape[0] ?? 0], 'int32');
      try {
        const input = { output: predictions, y, ...(context?.embedding ? { embedding: context.embedding } : {}), ...(context?.index ? { index: context.index } : {}), ...(context?.group ? { group: context.group } : {}) };
        return o.probabilities ? o.probabilities(input, contextOf(context, task, width)) : (tf.softmax(predictions) as tf.Tensor2D);
      } finally {
        y.dispose();
      }
    },
    commit(predictions: tf.Tensor, targets: tf.Tensor, context?: LossCallContext) {
      const task = taskOf(targets);
      const width = widthOf(predictions);
      const input = { output: predictions, y: targets, ...(context?.embedding ? { embedding: context.embedding } : {}), ...(context?.index ? { index: context.index } : {}), ...(context?.group ? { group: context.group } : {}) };
      build(width, task).commit?.(input, contextOf(context, task, width));
    },
    dispose() {
      objective?.dispose();
      objective = undefined;
    },
  });
  return fn;
}
