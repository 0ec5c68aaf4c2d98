import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { extraSlot, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  metric: z
    .enum(['f_beta', 'accuracy', 'balanced_accuracy', 'g_mean'])
    .default('f_beta')
    .describe('Metric turned into the loss 1 − metric: F_β, accuracy, balanced accuracy (mean class recall) or G-mean (geometric mean of the class recalls).'),
  beta: z.number().positive().default(1).describe('β of F_β (1 gives F1).'),
  amplifier: z.number().positive().default(73).describe('L of the amplified sigmoid A(p) = σ(L·(p − 0.5)) (≈73 in the paper).'),
});

const EPS = 1e-7;

/**
 * AnyLoss (batch-level): soft confusion counts from A = σ(L·(p − 0.5)) with p = softmax(z).
 * K = 2 is the paper's binary case (class 1 positive; p_1 = σ(z_1 − z_0)). For K > 2 minima takes
 * the one-vs-rest F_β of every class and averages them (macro); the accuracy form is
 * mean_i A_{i,y_i}, which equals (TP + TN)/N in the binary case. Balanced accuracy and G-mean
 * read the soft recall r_k = TP_k/(TP_k + FN_k) of each class present in the batch: their mean
 * (½(TPR + TNR) for K = 2) and their geometric mean exp(mean log(r_k + 1e-7)) (√(TPR·TNR) for K = 2).
 */
export const anyloss: LossEntry<z.infer<typeof schema>> = {
  name: 'anyloss',
  summary: 'AnyLoss 1 − metric on a soft confusion matrix from the amplified sigmoid, batch-level ("AnyLoss: Transforming Classification Metrics into Loss Functions", Han et al. 2024).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', reduction: 'batch' },
  info: { paper: 'AnyLoss: Transforming Classification Metrics into Loss Functions (Han, Moniz, Chawla KDD 2024)' },
  create(o, deps) {
    const k = numClassesOf(deps, 'anyloss');
    const b2 = o.beta * o.beta;
    return statelessObjective({ input: 'logits', reduction: 'batch', task: 'classification' }, ({ output, y }) => {
      const q = oneHot(y, k);
      const a = tf.sigmoid(tf.mul(tf.sub(tf.softmax(output), 0.5), o.amplifier));
      if (o.metric === 'accuracy') return tf.sub(1, tf.mean(tf.sum(tf.mul(a, q), -1)));
      const tp = tf.sum(tf.mul(q, a), 0);
      if (o.metric === 'balanced_accuracy' || o.metric === 'g_mean') {
        const support = tf.sum(q, 0);
        const present = tf.cast(tf.greaterEqual(support, 0.5), 'float32');
        const recall = tf.div(tp, tf.add(support, EPS));
        const terms = o.metric === 'g_mean' ? tf.log(tf.add(recall, EPS)) : recall;
        const mean = tf.div(tf.sum(tf.mul(terms, present)), tf.sum(present));
        return tf.sub(1, o.metric === 'g_mean' ? tf.exp(mean) : mean);
      }
      const fn = tf.sum(tf.mul(q, tf.sub(1, a)), 0);
      const fp = tf.sum(tf.mul(tf.sub(1, q), a), 0);
      const num = tf.mul(tp, 1 + b2);
      const f = tf.div(num, tf.add(tf.add(tf.add(num, tf.mul(fn, b2)), fp), EPS));
      const metric = k === 2 ? tf.reshape(tf.slice(f, [1], [1]), []) : tf.mean(f);
      return tf.sub(1, metric);
    });
  },
};
