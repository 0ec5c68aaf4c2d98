import type { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';

/**
 * log s(x) with s(x) = x + 1 for x ≥ 0 and 1/(1 − x) for x < 0, branch-wise on clamped inputs so
 * neither branch of tf.where sees a value that would make its gradient infinite:
 * log1p(max(x, 0)) and −log1p(−min(x, 0)).
 */
export function logS(x: tf.Tensor): tf.Tensor {
  const pos = tf.log1p(tf.maximum(x, 0));
  const neg = tf.neg(tf.log1p(tf.neg(tf.minimum(x, 0))));
  return tf.where(tf.greaterEqual(x, 0), pos, neg);
}

/** log StableMax = log s(z) − log Σ_j s(z_j), the sum taken as lse(log s) (s > 0 always). */
export function logStablemax(logits: tf.Tensor): tf.Tensor {
  const ls = logS(logits);
  return tf.sub(ls, tf.logSumExp(ls, -1, true));
}

const schema = lossSchema({});

export const stablemaxCe: LossEntry<z.infer<typeof schema>> = {
  name: 'stablemax-ce',
  summary: 'StableMax cross-entropy −log(s(z_y)/Σ s(z_j)), s(x) = x + 1 (x ≥ 0), 1/(1 − x) (x < 0) ("Grokking at the Edge of Numerical Stability", Prieto et al. 2025).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: {
    paper: 'Grokking at the Edge of Numerical Stability (Prieto, Barsbey, Mediano, Birdal ICLR 2025)',
    repo: 'LucasPrietoAl/grokking-at-the-edge-of-numerical-stability',
    probabilities: 'stablemax',
  },
  create(_o, deps) {
    const k = numClassesOf(deps, 'stablemax-ce');
    return statelessObjective(
      classificationNeeds,
      ({ output, y }) => tf.neg(rowDot(logStablemax(output), oneHot(y, k))),
      ({ output }) => tf.exp(logStablemax(output)) as tf.Tensor2D,
    );
  },
};
