/**
 * Evaluation of a whole split in eval mode (no dropout, BN running statistics), through the
 * training loss code path (step.ts forwardLoss). Probabilities and per-example losses are
 * downloaded asynchronously and reduced in JS by the metrics module; evaluateSplits writes the
 * rows of the run's eval splits.
 */
import type { Logger } from 'pino';
import * as tf from '../backends/tf.js';
import { hashSeed } from '../core/random.js';
import type { Dataset, LossContext, Model, Objective, SplitName } from '../core/types.js';
import { createClassificationAccumulator, createRegressionAccumulator } from '../metrics/index.js';
import type { MetricRow } from '../run/run-folder.js';
import type { RunWriter } from '../run/run-writer.js';
import { type EvalAttack, robustAccuracy } from './attack.js';
import { batchTensors, rangeIndices } from './batches.js';
import type { Experiment } from './build.js';
import { roundSeconds } from './metric-window.js';
import { fmtLoss, type Progress } from './progress.js';
import { forwardLoss } from './step.js';

export interface EvalContext {
  readonly dataset: Dataset;
  readonly model: Model;
  readonly objective: Objective;
  readonly batchSize: number;
  readonly step: number;
  readonly epoch: number;
  readonly seed: number;
  /** train.eval_attack: robust_accuracy on the splits it names (train/attack.ts). */
  readonly attack?: EvalAttack | null;
}

export async function evaluateSplit(ctx: EvalContext, split: SplitName): Promise<Record<string, number>> {
  const { dataset, model, objective } = ctx;
  const spec = dataset.spec;
  const n = dataset.sizes[split];
  const classification = spec.task === 'classification';
  const acc = classification ? createClassificationAccumulator(spec.numClasses) : createRegressionAccumulator(spec.outputDim);
  const clean = classification ? createClassificationAccumulator(spec.numClasses) : undefined;
  let sawClean = false;
  let lossSum = 0;
  const lctx: LossContext = { step: ctx.step, epoch: ctx.epoch, training: false, data: spec, seed: ctx.seed };
  for (let start = 0; start < n; start += ctx.batchSize) {
    const end = Math.min(n, start + ctx.batchSize);
    const arrays = dataset.gather(split, rangeIndices(start, end));
    const out = tf.tidy(() => {
      const { model: m, input, values } = forwardLoss(model, objective, batchTensors(dataset, arrays, end - start), lctx);
      // a batch-level loss counts once per example, so the split's loss is its mean over batches
      const perEx = values.rank === 0 ? tf.broadcastTo(tf.reshape(values, [1]), [end - start]) : values;
      const pred = classification
        ? (objective.probabilities ? objective.probabilities(input, lctx) : tf.softmax(m.output as tf.Tensor2D))
        : m.output;
      return { perEx, pred };
    });
    const [perData, predData] = await Promise.all([out.perEx.data() as Promise<Float32Array>, out.pred.data() as Promise<Float32Array>]);
    out.perEx.dispose();
    out.pred.dispose();
    for (let i = 0; i < perData.length; i++) lossSum += perData[i]!;
    if (classification) {
      (acc as ReturnType<typeof createClassificationAccumulator>).add(predData, arrays.y as Int32Array, perData);
      if (arrays.cleanY) {
        sawClean = true;
        clean!.add(predData, arrays.cleanY, perData);
      }
    } else {
      (acc as ReturnType<typeof createRegressionAccumulator>).add(predData, arrays.y as Float32Array);
    }
  }
  const result: Record<string, number> = { loss: lossSum / Math.max(1, n), ...acc.result() };
  if (sawClean && clean) result.clean_accuracy = clean.result().accuracy!;
  if (ctx.attack && classification && ctx.attack.splits.includes(split)) result.robust_accuracy = await robustAccuracy(ctx, split, ctx.attack);
  return result;
}

export interface EvaluationSinks {
  readonly writer: RunWriter;
  readonly log: Logger;
  readonly progress: Progress;
}

/** Headline metrics of the progress line, in this order, where the split has them. */
const shownMetrics = ['loss', 'accuracy', 'clean_accuracy', 'ece', 'rmse', 'r2', 'robust_accuracy'];

/**
 * Evaluates every split of `train.eval_splits` after step `step` (1-based): one eval row each, and
 * a progress line for the test split (or the only one). `trainTimeS` is the row's time_s.
 */
export async function evaluateSplits(exp: Experiment, step: number, trainTimeS: number, sinks: EvaluationSinks): Promise<void> {
  const { config, dataset, model, objective } = exp;
  const splits = config.train.eval_splits;
  const epoch = Math.floor(Math.max(0, step - 1) / exp.stepsPerEpoch);
  for (const split of splits) {
    const metrics = await evaluateSplit({ dataset, model, objective, batchSize: config.train.eval_batch_size, step, epoch, seed: hashSeed(config.seed, 'eval'), attack: config.train.eval_attack }, split);
    const row: MetricRow = { step, epoch, split, ...metrics, eval: true, time_s: roundSeconds(trainTimeS) };
    sinks.writer.appendMetrics(row);
    sinks.log.info(row, 'eval');
    if (split === 'test' || splits.length === 1) {
      const shown = shownMetrics.filter((k) => metrics[k] !== undefined);
      sinks.progress.log(`eval step ${step}: ${shown.map((k) => `${split}.${k} ${fmtLoss(metrics[k])}`).join('  ')}`);
    }
  }
}
