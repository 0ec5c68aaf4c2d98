import type { z } from 'zod';
import type * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, logProbTarget, lossSchema, oneHot, oneMinusExp, statelessObjective, type LossEntry } from './common.js';
import { regressionMae } from './regression.js';

const schema = lossSchema({});

/**
 * Classification MAE in the APL code's "reduced" form 1 − p_y (HanxunH/Active-Passive-Losses,
 * loss.py MeanAbsoluteError); the full L1 distance Σ_k |p_k − onehot_k| equals 2(1 − p_y).
 */
export function maeTerm(logits: tf.Tensor, onehot: tf.Tensor): tf.Tensor1D {
  return oneMinusExp(logProbTarget(logits, onehot)) as tf.Tensor1D;
}

/** One name, two losses: the dataset's task picks the probability MAE or the regression |y − ŷ|. */
export const mae: LossEntry<z.infer<typeof schema>> = {
  name: 'mae',
  summary: 'Mean absolute error: 1 − p_y on classification (reduced form of the APL code, "Normalized Loss Functions for Deep Learning with Noisy Labels"), |y − ŷ| on regression.',
  schema,
  nested: extraSlot,
  needs: { task: 'any', input: 'logits' },
  info: { paper: 'Normalized Loss Functions for Deep Learning with Noisy Labels (Ma et al. ICML 2020)', repo: 'HanxunH/Active-Passive-Losses' },
  create(_o, deps) {
    if (deps.data.task === 'regression') return regressionMae();
    const k = deps.data.numClasses;
    return statelessObjective(classificationNeeds, ({ output, y }) => maeTerm(output, oneHot(y, k)));
  },
};
