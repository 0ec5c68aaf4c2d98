/**
 * Evaluation of a whole split in eval mode (no dropout, BN running statistics), through the
 * training loss code path (step.ts forwardLoss). Probabilities and per-example losses are
 * downloaded asynchronously and reduced in JS by the metrics module; evaluateSplits writes the
 * rows of the run's eval splits.
 */
import type { Logger } from 'pino';
import * as tf from '../backends/tf.js';
import { hashSeed } from '../core/random.js';
import type { LossContext, SplitName } from '../core/types.js';
import { createClassificationAccumulator, createGroupAccumulator, createRegressionAccumulator, linearProbeAccuracy, retrievalMetrics, verificationMetrics, type RetrievalOptions } from '../metrics/index.js';
import type { MetricRow } from '../run/run-folder.js';
import type { RunWriter } from '../run/run-writer.js';
import { type AttackContext, type RobustMetric, robustAccuracy, robustMetrics } from './attack.js';
import { batchTensors, groupTensor, rangeIndices } from './batches.js';
import type { Experiment } from './build.js';
import { roundSeconds } from './metric-window.js';
import { fmtLoss, type Progress } from './progress.js';
import { forwardLoss } from './step.js';
import { hasClassifier, retrievalOf } from './retrieval-eval.js';

/** The model, objective and data of one evaluation (AttackContext's fields), plus what it reports beyond the loss. */
export interface EvalContext extends AttackContext {
  /** Recall@k / MAP@R on the model's embedding of this split (train/retrieval-eval.ts retrievalOf). */
  readonly retrieval?: RetrievalOptions | undefined;
  /** train.eval_attack / eval_attacks: one robust-accuracy metric per attack on the splits it names (train/attack.ts). */
  readonly attacks?: readonly RobustMetric[];
}

export async function evaluateSplit(ctx: EvalContext, split: SplitName): Promise<Record<string, number>> {
  const { dataset, model, objective } = ctx;
  const spec = dataset.spec;
  const n = dataset.sizes[split];
  // a loss without a classifier (multi-similarity) has no class probabilities: loss and retrieval only
  const classification = spec.task === 'classification' && hasClassifier(objective);
  const retrieval = ctx.retrieval?.splits.includes(split) ? { emb: [] as Float32Array[], y: [] as Int32Array[], width: 0 } : undefined;
  const acc = classification
    ? createClassificationAccumulator(spec.numClasses, spec.classCounts ? { trainCounts: spec.classCounts } : {})
    : createRegressionAccumulator(spec.outputDim, spec.periodsPerYear !== undefined ? { periodsPerYear: spec.periodsPerYear } : {});
  const clean = classification ? createClassificationAccumulator(spec.numClasses) : undefined;
  let sawClean = false;
  // per-group and worst-group accuracy when the examples carry group ids
  const groups = classification && spec.numGroups !== undefined ? createGroupAccumulator(spec.numClasses, spec.numGroups) : undefined;
  let lossSum = 0;
  const lctx: LossContext = { step: ctx.step, epoch: ctx.epoch, training: false, data: spec, seed: ctx.seed, split };
  for (let start = 0; start < n; start += ctx.batchSize) {
    const end = Math.min(n, start + ctx.batchSize);
    const rows = rangeIndices(start, end);
    const arrays = dataset.gather(split, rows);
    const out = tf.tidy(() => {
      const batch = { ...batchTensors(dataset, arrays, end - start), index: tf.tensor1d(rows, 'int32'), ...groupTensor(arrays) };
      const { model: m, input, values } = forwardLoss(model, objective, batch, lctx);
      // a batch-level loss counts once per example, so the split's loss is its mean over batches
      const perEx = values.rank === 0 ? tf.broadcastTo(tf.reshape(values, [1]), [end - start]) : values;
      const pred = classification
        ? (objective.probabilities ? objective.probabilities(input, lctx) : tf.softmax(m.output as tf.Tensor2D))
        : spec.task === 'regression' ? (objective.predictions ? objective.predictions(input, lctx) : m.output) : tf.zeros([0]);
      return { perEx, pred, ...(retrieval ? { emb: tf.reshape(m.embedding, [end - start, -1]) } : {}) };
    });
    const [perData, predData] = await Promise.all([out.perEx.data() as Promise<Float32Array>, out.pred.data() as Promise<Float32Array>]);
    out.perEx.dispose();
    out.pred.dispose();
    if (retrieval && out.emb) {
      retrieval.width = out.emb.shape[1]!;
      retrieval.emb.push((await out.emb.data()) as Float32Array);
      retrieval.y.push(arrays.y as Int32Array);
      out.emb.dispose();
    }
    for (let i = 0; i < perData.length; i++) lossSum += perData[i]!;
    if (classification) {
      (acc as ReturnType<typeof createClassificationAccumulator>).add(predData, arrays.y as Int32Array, perData);
      if (arrays.cleanY) {
        sawClean = true;
        clean!.add(predData, arrays.cleanY, perData);
      }
      if (groups && arrays.group) groups.add(predData, arrays.y as Int32Array, arrays.group);
    } else if (spec.task === 'regression') {
      (acc as ReturnType<typeof createRegressionAccumulator>).add(predData, arrays.y as Float32Array);
    }
  }
  const result: Record<string, number> = { loss: lossSum / Math.max(1, n), ...(classification || spec.task !== 'classification' ? acc.result() : {}) };
  if (sawClean && clean) result.clean_accuracy = clean.result().accuracy!;
  if (retrieval) {
    const emb = new Float32Array(n * retrieval.width);
    const y = new Int32Array(n);
    let at = 0;
    retrieval.emb.forEach((part, i) => {
      emb.set(part, at * retrieval.width);
      y.set(retrieval.y[i]!, at);
      at += retrieval.y[i]!.length;
    });
    const o = ctx.retrieval!;
    Object.assign(result, retrievalMetrics(emb, y, n, retrieval.width, o.recall_at));
    // genuine/impostor pairs drawn from the split and the eval seed: the same pairs at every eval
    if (o.verification) Object.assign(result, verificationMetrics(emb, y, n, retrieval.width, o, ctx.seed));
    if (o.linear_probe && split === 'test' && spec.task === 'classification') {
      const train = await splitEmbeddings(ctx, 'train');
      result.linear_probe_accuracy = linearProbeAccuracy(train, { x: emb, y, n }, retrieval.width, spec.numClasses);
    }
  }
  if (groups && groups.count > 0) Object.assign(result, groups.result());
  for (const metric of ctx.attacks ?? []) if (classification && metric.splits.includes(split)) result[metric.key] = await robustAccuracy(ctx, split, metric);
  return result;
}

/** The model's embeddings of a whole split in eval mode (no loss), for the linear probe. */
async function splitEmbeddings(ctx: EvalContext, split: SplitName): Promise<{ x: Float32Array; y: Int32Array; n: number }> {
  const { dataset, model } = ctx;
  const n = dataset.sizes[split];
  const parts: Float32Array[] = [];
  const y = new Int32Array(n);
  for (let start = 0; start < n; start += ctx.batchSize) {
    const end = Math.min(n, start + ctx.batchSize);
    const arrays = dataset.gather(split, rangeIndices(start, end));
    const emb = tf.tidy(() => {
      const { x } = batchTensors(dataset, arrays, end - start);
      const out = model.apply(x, { training: false });
      if (out.updates) tf.dispose(out.updates.map(([, t]) => t));
      return tf.reshape(out.embedding, [end - start, -1]);
    });
    parts.push((await emb.data()) as Float32Array);
    emb.dispose();
    y.set(arrays.y as Int32Array, start);
  }
  const x = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) x.set(p, (at += p.length) - p.length);
  return { x, y, n };
}

export interface EvaluationSinks {
  readonly writer: RunWriter;
  readonly log: Logger;
  readonly progress: Progress;
}

/** Headline metrics of the progress line, in this order, where the split has them. */
const shownMetrics = ['loss', 'accuracy', 'clean_accuracy', 'ece', 'rmse', 'r2', 'worst_group_accuracy', 'robust_accuracy', 'recall@1', 'map@r', 'eer', 'opis', 'linear_probe_accuracy'];

/**
 * Evaluates every split of `train.eval_splits` after step `step` (1-based): one eval row each, and
 * a progress line for the test split (or the only one). `trainTimeS` is the row's time_s. Returns the
 * numeric values by `<split>.<metric>` (what a metric-driven schedule reads: reduce-on-plateau).
 */
export async function evaluateSplits(exp: Experiment, step: number, trainTimeS: number, sinks: EvaluationSinks): Promise<Record<string, number>> {
  const { config, dataset, model, objective } = exp;
  const splits = config.train.eval_splits;
  const attacks = robustMetrics(config.train);
  const epoch = Math.floor(Math.max(0, step - 1) / exp.stepsPerEpoch);
  const values: Record<string, number> = {};
  for (const split of splits) {
    const metrics = await evaluateSplit({ dataset, model, objective, batchSize: config.train.eval_batch_size, step, epoch, seed: hashSeed(config.seed, 'eval'), retrieval: retrievalOf(config, objective), attacks }, split);
    const row: MetricRow = { step, epoch, split, ...metrics, eval: true, time_s: roundSeconds(trainTimeS) };
    sinks.writer.appendMetrics(row);
    sinks.log.info(row, 'eval');
    for (const [k, v] of Object.entries(metrics)) if (typeof v === 'number') values[`${split}.${k}`] = v;
    if (split === 'test' || splits.length === 1) {
      const shown = [...shownMetrics, ...attacks.map((a) => a.key).filter((k) => k !== 'robust_accuracy')].filter((k) => metrics[k] !== undefined);
      sinks.progress.log(`eval step ${step}: ${shown.map((k) => `${split}.${k} ${fmtLoss(metrics[k])}`).join('  ')}`);
    }
  }
  return values;
}
