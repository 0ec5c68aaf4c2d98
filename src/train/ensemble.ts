/**
 * Sample ensembles over a run's checkpoints (SGLD and noisy SGD, catalogue b36): each checkpoint's
 * weights predict a split in eval mode through the training loss code path (as evaluate.ts), and
 * the members' class probabilities are averaged. The metrics of the average (accuracy, NLL, ECE …)
 * are compared with those of the last member alone.
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { LossContext, SplitName } from '../core/types.js';
import { createClassificationAccumulator } from '../metrics/index.js';
import { loadCheckpoint } from '../run/checkpoint.js';
import { batchTensors, groupTensor, rangeIndices } from './batches.js';
import type { Experiment } from './build.js';
import { loopStateProblem } from './checkpointer.js';
import { hasClassifier } from './retrieval-eval.js';
import { forwardLoss } from './step.js';

/** Loads a checkpoint's model weights and buffers (not the optimizer or loss state) into `exp`. */
export function loadWeights(exp: Pick<Experiment, 'params' | 'model'>, dir: string): void {
  const ck = loadCheckpoint(dir, loopStateProblem);
  try {
    const take = (key: string, like: tf.Tensor): tf.Tensor => {
      const t = ck.tensors[key];
      if (!t || t.shape.join(',') !== like.shape.join(',')) throw new RunnerError('CHECKPOINT_INVALID', `checkpoint ${dir} has no tensor ${key} of shape [${like.shape.join(', ')}]`);
      return t;
    };
    for (const p of exp.params) p.variable.assign(take(`${p.owner}/${p.name}`, p.variable));
    for (const b of exp.model.buffers) b.variable.assign(take(`buffer/${b.name}`, b.variable));
  } finally {
    tf.dispose(Object.values(ck.tensors));
  }
}

/** Class probabilities of every example of `split` (n × classes, row-major) at the current weights. */
export async function splitProbabilities(exp: Experiment, split: SplitName): Promise<{ probs: Float32Array; y: Int32Array }> {
  const { dataset, model, objective, config } = exp;
  const spec = dataset.spec;
  if (spec.task !== 'classification' || !hasClassifier(objective)) throw new RunnerError('USAGE', 'an ensemble averages class probabilities: it needs a classification run whose loss has a classifier');
  const n = dataset.sizes[split];
  const k = spec.numClasses;
  const probs = new Float32Array(n * k);
  const y = new Int32Array(n);
  const lctx: LossContext = { step: 0, epoch: 0, training: false, data: spec, seed: 0, split };
  const size = config.train.eval_batch_size;
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    const rows = rangeIndices(start, end);
    const arrays = dataset.gather(split, rows);
    const pred = tf.tidy(() => {
      const batch = { ...batchTensors(dataset, arrays, end - start), index: tf.tensor1d(rows, 'int32'), ...groupTensor(arrays) };
      const { model: m, input } = forwardLoss(model, objective, batch, lctx);
      return objective.probabilities ? objective.probabilities(input, lctx) : tf.softmax(m.output as tf.Tensor2D);
    });
    probs.set((await pred.data()) as Float32Array, start * k);
    pred.dispose();
    y.set(arrays.y as Int32Array, start);
  }
  return { probs, y };
}

/** Classification metrics (accuracy, nll, ece, …) of probabilities against labels. */
export function probabilityMetrics(probs: Float32Array, y: Int32Array, numClasses: number): Record<string, number> {
  const acc = createClassificationAccumulator(numClasses);
  acc.add(probs, y);
  return acc.result();
}
