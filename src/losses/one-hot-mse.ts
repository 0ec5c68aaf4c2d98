/**
 * Squared loss of the logits against one-hot class targets, as the edge-of-stability code trains
 * classification with MSE (locuslab/edge-of-stability src/utilities.py SquaredLoss:
 * 0.5·((input − target)²).sum(), divided by the dataset size; src/data.py make_labels one-hot
 * encodes the labels with 0 off-target for loss "mse"). Per example:
 * ℓ = scale·Σ_k (z_k − onehot(y)_k)², the run's mean over examples giving their loss.
 * `reduction: mean` divides by K instead (Keras mean_squared_error on one-hot targets).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  scale: z.number().positive().default(0.5).describe('Factor in front of the squared error (SquaredLoss: 0.5).'),
  reduction: z.enum(['sum', 'mean']).default('sum').describe('Over the K classes: sum (SquaredLoss) or mean (Keras MSE on one-hot targets).'),
});

export const oneHotMse: LossEntry<z.infer<typeof schema>> = {
  name: 'one-hot-mse',
  summary: 'Squared loss against one-hot targets, ½Σ_k (z_k − 1[k = y])² (SquaredLoss of "Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability").',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: {
    paper: 'Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability (Cohen et al. ICLR 2021)',
    source: 'github.com/locuslab/edge-of-stability src/utilities.py SquaredLoss, src/data.py make_labels',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'one-hot-mse');
    const factor = o.reduction === 'mean' ? o.scale / k : o.scale;
    return statelessObjective(classificationNeeds, ({ output, y }) => tf.mul(tf.sum(tf.square(tf.sub(output, oneHot(y, k))), -1), factor));
  },
};
