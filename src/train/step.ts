/**
 * The step: the one forward-and-loss pass that the optimizer's closure, the diagnostics and
 * evaluation share, and one optimizer step on a batch. Everything random in a step is a function
 * of (seed, step), so a resumed run repeats it exactly.
 */
import * as tf from '../backends/tf.js';
import { hashSeed } from '../core/random.js';
import type { ApplyOptions, Batch, LossContext, LossInput, Model, ModelOutput, Objective, ParamSpec } from '../core/types.js';
import { RunnerError } from '../core/errors.js';
import type { Closure, ExtraBatches, Reduce, SampledLabels } from '../optim/types.js';
import { drawLabels } from './sampled-labels.js';
import type { Experiment } from './build.js';

/**
 * What one training step reads besides the experiment, built once per step and handed whole to
 * the closure and the diagnostics. This is where the step widens (issue 13), each time by an
 * optional field: per-row tensors (row ids, group ids) join `batch` and reach LossInput through
 * forwardLoss; per-step facts and per-example state join `loss` (core/types.ts LossContext);
 * what the optimizer needs beyond the one closure (closures over other batches, at other weights
 * or inputs) joins this object and makeClosure. No loss that ignores a new field changes.
 */
export interface StepContext {
  readonly batch: Batch;
  /** The loss's context for this step: training mode, the step's loss seed. */
  readonly loss: LossContext;
  /** Dropout masks of this step: every forward pass of the step draws the same ones (SAM's passes agree). */
  readonly dropoutSeed: number;
  /** train.accumulate: micro-batches per evaluation (absent: 1, the whole batch in one pass). */
  readonly accumulate?: number;
}

/** The context of 0-based step `step`, whose batch lies in epoch `epoch`. */
export function stepContext(exp: Pick<Experiment, 'config' | 'dataset'>, batch: Batch, step: number, epoch: number): StepContext {
  const seed = exp.config.seed;
  return {
    batch,
    loss: { step, epoch, training: true, data: exp.dataset.spec, seed: hashSeed(seed, 'loss', step), split: 'train' },
    dropoutSeed: hashSeed(seed, 'dropout', step),
    accumulate: exp.config.train?.accumulate ?? 1,
  };
}

export interface ForwardLoss {
  /** The model's outputs; `updates` holds BatchNorm statistics after a training-mode pass. */
  readonly model: ModelOutput;
  /** What the loss saw, for commit() and probabilities(). */
  readonly input: LossInput;
  /** objective.compute: per-example losses [batch], or a scalar for batch-level losses. */
  readonly values: tf.Tensor;
}

/** The model in `ctx.training` mode on `batch`, then the loss: the only place either is called. */
export function forwardLoss(model: Model, objective: Objective, batch: Batch, ctx: LossContext, dropoutSeed?: number): ForwardLoss {
  const options: ApplyOptions = dropoutSeed === undefined ? { training: ctx.training } : { training: ctx.training, dropoutSeed };
  const out = model.apply(batch.x, options);
  const inputs = objective.needs.inputs === true;
  const input: LossInput = { output: out.output, embedding: out.embedding, y: batch.y, index: batch.index, ...(batch.group ? { group: batch.group } : {}), ...(batch.target ? { target: batch.target } : {}), ...(batch.teacher ? { teacher: batch.teacher } : {}), ...(inputs ? { x: batch.x } : {}) };
  const lctx = inputs ? { ...ctx, apply: reapply(model, options) } : ctx;
  if (out.samples && out.samples.length > 0) {
    // multi-sample dropout: the mean of the K losses, each on one mask's outputs
    const values = out.samples.map((o) => objective.compute({ ...input, output: o }, lctx));
    return { model: out, input, values: tf.div(tf.addN(values), values.length) };
  }
  return { model: out, input, values: objective.compute(input, lctx) };
}

/**
 * LossContext.apply: `model` with the pass's options (training flag, dropout masks) on other
 * inputs. Its BatchNorm updates are disposed, so a perturbed pass never moves running statistics.
 */
export function reapply(model: Model, options: ApplyOptions): (x: tf.Tensor) => ModelOutput {
  return (x) => {
    const out = model.apply(x, options);
    if (out.updates) tf.dispose(out.updates.map(([, t]) => t));
    if (out.samples) tf.dispose([...out.samples]);
    return { output: out.output, embedding: out.embedding };
  };
}

/** The scalar that is differentiated: the mean of per-example losses (a batch-level loss as it is). */
export function meanLoss(values: tf.Tensor): tf.Scalar {
  return values.rank === 0 ? (values as tf.Scalar) : tf.mean(values);
}

/** `loss()` and its gradients in ParamSpec order (zeros for a parameter the loss does not reach). */
export function lossAndGrads(params: readonly ParamSpec[], loss: () => tf.Scalar): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.variableGrads(loss, params.map((p) => p.variable));
  return { loss: value, grads: params.map((p) => grads[p.variable.name] ?? tf.zerosLike(p.variable)) };
}

type StepParts = Pick<Experiment, 'model' | 'objective' | 'params' | 'optimizer'>;
type Statistics = readonly (readonly [tf.Variable, tf.Tensor])[];

/**
 * The optimizer's closure for one step: loss and gradients at the current weights on the step's
 * batch. Only the FIRST call is the step's own pass: its BatchNorm statistics are kept for
 * `statistics()` (a SAM-type pass at perturbed weights must not move them) and it alone commits
 * the loss's per-step state. Later calls only evaluate.
 */
export function makeClosure(parts: Omit<StepParts, 'optimizer'>, ctx: StepContext, own = true): { readonly closure: Closure; statistics(): Statistics } {
  const { model, objective, params } = parts;
  // a closure over an extra batch (own = false) only evaluates: no statistics, no commit
  let calls = own ? 0 : 1;
  let statistics: Statistics = [];
  const micro = ctx.accumulate ?? 1;
  const closure: Closure = (reduce = meanLoss) => {
    const first = calls === 0;
    calls++;
    if (micro > 1) return accumulated(parts, ctx, micro, first, reduce);
    return lossAndGrads(params, () => {
      const f = forwardLoss(model, objective, ctx.batch, ctx.loss, ctx.dropoutSeed);
      if (first && f.model.updates) statistics = f.model.updates.map(([v, t]) => [v, tf.keep(t)] as const);
      if (first && objective.commit) objective.commit(f.input, ctx.loss);
      return reduce(f.values);
    });
  };
  return { closure, statistics: () => statistics };
}

/**
 * The rows [start, start + size) of every field of `batch`. Every Batch field is per-row (core/types.ts),
 * so all are sliced: a field listed by name here was once left out (mixup's soft targets).
 */
function sliceBatch(batch: Batch, start: number, size: number): Batch {
  const fields = Object.entries(batch).filter(([, t]) => t !== undefined) as [string, tf.Tensor][];
  return Object.fromEntries(fields.map(([k, t]) => [k, tf.slice(t, start, size)])) as unknown as Batch;
}

/**
 * One evaluation by gradient accumulation (train.accumulate): the batch in `micro` equal
 * consecutive micro-batches, one pass each with its own dropout masks, gradients and loss averaged
 * as torch's `(loss/N).backward()` per micro-batch sums them. In the step's own (first) evaluation
 * each micro-batch's BatchNorm statistics are assigned right after its pass, as torch's forward
 * does, and each commits its loss state; later evaluations (SAM's perturbed one) only evaluate.
 * `reduce` applies per micro-batch (a masked mean of equal micro-batches averages to the batch's).
 */
function accumulated(parts: Omit<StepParts, 'optimizer'>, ctx: StepContext, micro: number, own: boolean, reduce: Reduce): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const { model, objective, params } = parts;
  const size = ctx.batch.x.shape[0]! / micro;
  let loss: tf.Scalar | undefined;
  let grads: tf.Tensor[] = [];
  for (let j = 0; j < micro; j++) {
    const batch = sliceBatch(ctx.batch, j * size, size);
    let statistics: Statistics = [];
    const r = lossAndGrads(params, () => {
      const f = forwardLoss(model, objective, batch, ctx.loss, hashSeed(ctx.dropoutSeed, 'micro', j));
      if (own && f.model.updates) statistics = f.model.updates.map(([v, t]) => [v, tf.keep(t)] as const);
      if (own && objective.commit) objective.commit(f.input, ctx.loss);
      return reduce(f.values);
    });
    assignStatistics(params, statistics);
    loss = loss === undefined ? r.loss : (tf.add(loss, r.loss) as tf.Scalar);
    grads = j === 0 ? r.grads : grads.map((g, i) => tf.add(g, r.grads[i]!));
  }
  return { loss: tf.div(loss!, micro) as tf.Scalar, grads: grads.map((g) => tf.div(g, micro)) };
}

/**
 * The step's closure with labels drawn from the model (ctx.evaluateSampled, Sophia's GNB): the
 * model in training mode with the step's dropout masks on the step's batch, the mean softmax
 * cross-entropy against labels drawn from its outputs (the last axis is the classes; a sequence
 * model's rows are its positions). BatchNorm updates of this pass are dropped; nothing commits.
 */
export function makeSampledLabels(parts: Omit<StepParts, 'optimizer'>, ctx: StepContext): SampledLabels {
  const { model, params } = parts;
  return (seed) => {
    let rows = 0;
    const r = lossAndGrads(params, () => {
      const out = reapply(model, { training: true, dropoutSeed: ctx.dropoutSeed })(ctx.batch.x);
      const classes = out.output.shape[out.output.shape.length - 1] ?? 1;
      if (out.output.rank < 2 || classes < 2) {
        throw new RunnerError('USAGE', `labels drawn from the model (sophia estimator gnb) need class logits; the model outputs [${out.output.shape.join(', ')}] (use estimator: hutchinson)`);
      }
      const logits = tf.reshape(out.output, [-1, classes]);
      rows = logits.shape[0]!;
      const labels = drawLabels(tf.softmax(logits).dataSync(), rows, classes, seed);
      const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
      return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
    });
    return { ...r, rows };
  };
}

export interface StepOutcome {
  /** Loss of the step's first evaluation. The caller owns it and `diagnostics`. */
  readonly loss: tf.Scalar;
  /** The optimizer's per-step values (MoMo tau, SAM grad_norm …), possibly empty. */
  readonly diagnostics: tf.NamedTensorMap;
  readonly gradEvals: number;
}

/**
 * One optimizer step inside one tf.tidy, then the first pass's BatchNorm statistics assigned.
 * `extra(k)` gives the k-th extra batch of the step for optimizers that evaluate other rows
 * (ctx.evaluateBatch); its tensors are made inside the step's tidy and freed with it.
 */
export function trainStep(parts: StepParts, ctx: StepContext, extra?: (k: number) => Batch): StepOutcome {
  const { closure, statistics } = makeClosure(parts, ctx);
  const extraBatches: ExtraBatches | undefined = extra
    ? (k) => makeClosure(parts, { ...ctx, batch: extra(k), dropoutSeed: hashSeed(ctx.dropoutSeed, 'extra', k) }, false).closure
    : undefined;
  // the logits at the current values, as the step's own pass computes them (ghost-step's finite-difference JVP)
  const outputs = () => reapply(parts.model, { training: ctx.loss.training, dropoutSeed: ctx.dropoutSeed })(ctx.batch.x).output;
  const out = tf.tidy(() => {
    const r = parts.optimizer.step(closure, extraBatches, { outputs, sampled: makeSampledLabels(parts, ctx) });
    return { loss: r.loss, diagnostics: { ...(r.diagnostics ?? {}) }, gradEvals: r.gradEvals };
  });
  assignStatistics(parts.params, statistics());
  return out;
}

/** Buffers take the statistics (BN running mean/variance); a trainable target is a model bug. */
function assignStatistics(params: readonly ParamSpec[], statistics: Statistics): void {
  if (statistics.length === 0) return;
  const trainable = new Set(params.map((p) => p.variable.name));
  try {
    for (const [v, t] of statistics) {
      if (trainable.has(v.name)) throw new Error(`model update targets trainable variable ${v.name}`);
      v.assign(t);
    }
  } finally {
    tf.dispose(statistics.map(([, t]) => t));
  }
}
