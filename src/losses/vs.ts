/**
 * Vector-scaling (VS) loss (Kini et al. NeurIPS 2021, "Label-Imbalanced and Group-Sensitive
 * Classification under Overparameterization"; the SAM-for-long-tail paper of Rangwani et al. 2022
 * trains with it). orparask/VS-Loss class_imbalance/losses.py VSLoss: Delta_k = (1/n_k)^γ / min_j
 * (1/n_j)^γ = (n_max/n_k)^γ, iota_k = τ·log(n_k/N), output = x / Delta + iota, then cross-entropy.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';
import { classCountsOf, logPrior } from './class-prior.js';

const schema = lossSchema({
  gamma: z.number().min(0).default(0.3).describe('γ: multiplicative scale (n_k/n_max)^γ of logit k (VSLoss default 0.3).'),
  tau: z.number().finite().default(1).describe('τ: additive offset τ·log π_k of logit k (VSLoss default 1.0; τ = 0, γ = 0 is cross-entropy).'),
});

export const vs: LossEntry<z.infer<typeof schema>> = {
  name: 'vs',
  summary: 'Vector-scaling loss: cross-entropy on z_k·(n_k/n_max)^γ + τ·log π_k, with n_k the train class counts (Kini et al. 2021, orparask/VS-Loss).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: {
    paper: 'Label-Imbalanced and Group-Sensitive Classification under Overparameterization (Kini, Paraskevas, Oymak, Thrampoulidis NeurIPS 2021); Escaping Saddle Points for Effective Generalization on Class-Imbalanced Data (Rangwani et al. NeurIPS 2022)',
    source: 'orparask/VS-Loss class_imbalance/losses.py VSLoss (gamma 0.3, tau 1.0); val-iisc/Saddle-LongTail',
    data: 'class counts of the train split (DataSpec.classCounts)',
    probabilities: 'softmax of the raw logits (the model output; VSLoss adjusts the loss only)',
  },
  create(o, deps) {
    const counts = classCountsOf(deps, 'vs');
    const k = numClassesOf(deps, 'vs');
    const nMax = Math.max(...counts);
    const scale = counts.map((n) => (n / nMax) ** o.gamma);
    const offset = logPrior(counts).map((l) => o.tau * l);
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const adjusted = tf.add(tf.mul(output, tf.tensor1d(scale)), tf.tensor1d(offset));
      return tf.neg(rowDot(tf.logSoftmax(adjusted), oneHot(y, k)));
    });
  },
};
