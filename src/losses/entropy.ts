import type { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({});

/**
 * Entropy regulariser, meant as an `extra` term: H(p) = −Σ_k p_k·log p_k per example, p = softmax(z),
 * from logSoftmax (p·log p → 0 as p → 0, so saturated rows stay finite). `weight` sets sign and
 * size: positive minimises entropy (entropy minimisation), negative maximises it (confidence penalty).
 */
export const entropy: LossEntry<z.infer<typeof schema>> = {
  name: 'entropy',
  summary: 'Entropy regulariser H(softmax(z)) per example, for `extra`: weight > 0 entropy minimisation (Grandvalet & Bengio 2004), weight < 0 confidence penalty (Pereyra et al. 2017).',
  schema,
  nested: extraSlot,
  // it reads no labels, so it fits mixed batches (train.mix) as an extra beside a soft-target loss
  needs: { task: 'classification', input: 'logits', softTargets: true },
  info: {
    paper: 'Semi-supervised Learning by Entropy Minimization (Grandvalet & Bengio, NeurIPS 2004); Regularizing Neural Networks by Penalizing Confident Output Distributions (Pereyra et al. 2017)',
  },
  create(_o, deps) {
    numClassesOf(deps, 'entropy');
    return statelessObjective(classificationNeeds, ({ output }) => {
      const logP = tf.logSoftmax(output);
      return tf.neg(tf.sum(tf.mul(tf.exp(logP), logP), -1));
    });
  },
};
