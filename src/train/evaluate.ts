/**
 * Evaluation of a whole split in eval mode (no dropout, BN running statistics). Probabilities
 * and per-example losses are downloaded asynchronously and reduced in JS by the metrics module.
 */
import * as tf from '../backends/tf.js';
import type { Dataset, Model, Objective, SplitName } from '../core/types.js';
import { createClassificationAccumulator, createRegressionAccumulator } from '../metrics/index.js';
import { batchTensors, rangeIndices } from './batches.js';

export interface EvalContext {
  readonly dataset: Dataset;
  readonly model: Model;
  readonly objective: Objective;
  readonly batchSize: number;
  readonly step: number;
  readonly epoch: number;
  readonly seed: number;
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
  for (let start = 0; start < n; start += ctx.batchSize) {
    const end = Math.min(n, start + ctx.batchSize);
    const arrays = dataset.gather(split, rangeIndices(start, end));
    const out = tf.tidy(() => {
      const { x, y } = batchTensors(dataset, arrays, end - start);
      const m = model.apply(x, { training: false });
      const input = { output: m.output, embedding: m.embedding, y };
      const lctx = { step: ctx.step, epoch: ctx.epoch, training: false, data: spec, seed: ctx.seed };
      const per = objective.compute(input, lctx);
      const perEx = per.rank === 0 ? tf.broadcastTo(tf.reshape(per, [1]), [end - start]) : per;
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
  return result;
}
