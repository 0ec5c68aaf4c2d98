import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  label_smoothing: z.number().min(0).max(1).default(0).describe('s: the target becomes (1 − s)·onehot + s/K (0.1 in the SAM/ASAM/GAM recipes).'),
  temperature: z.number().positive().default(1).describe('T: the loss is −log softmax(z/T)_y; metrics use softmax(z/T) when T ≠ 1.'),
});

/** ℓ = −Σ_k q_k·log softmax(z/T)_k with q the (smoothed) one-hot target; logSoftmax keeps it finite. */
export const crossEntropy: LossEntry<z.infer<typeof schema>> = {
  name: 'cross-entropy',
  summary: 'Softmax cross-entropy −log softmax(z/T)_y with label smoothing (Szegedy et al. 2016, "Rethinking the Inception Architecture").',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Cross-Entropy Loss Functions: Theoretical Analysis and Applications (Mao, Mohri, Zhong 2023)' },
  create(o, deps) {
    const k = numClassesOf(deps, 'cross-entropy');
    const t = o.temperature;
    const s = o.label_smoothing;
    const scaled = (z: tf.Tensor) => (t === 1 ? z : tf.div(z, t));
    return statelessObjective(
      classificationNeeds,
      ({ output, y }) => {
        let q: tf.Tensor = oneHot(y, k);
        if (s > 0) q = tf.add(tf.mul(q, 1 - s), s / k);
        return tf.neg(rowDot(tf.logSoftmax(scaled(output)), q));
      },
      t === 1 ? undefined : ({ output }) => tf.softmax(scaled(output)) as tf.Tensor2D,
    );
  },
};
