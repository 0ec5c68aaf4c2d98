import type { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({});
const PAPER = 'On the Equivalence between Neural Network and Support Vector Machine (Chen et al. NeurIPS 2021); Agarap 2018 (GRU-SVM)';

/** One-vs-rest margins 1 − y_k·f_k with y_k = +1 for k = y, −1 otherwise (labels are class ids, not {0,1}). */
function ovrMargins(logits: tf.Tensor, y: tf.Tensor, k: number): tf.Tensor {
  const signs = tf.sub(tf.mul(oneHot(y, k), 2), 1);
  return tf.relu(tf.sub(1, tf.mul(signs, logits)));
}

export const hinge: LossEntry<z.infer<typeof schema>> = {
  name: 'hinge',
  summary: 'Multiclass one-vs-rest hinge Σ_k max(0, 1 − y_k·f_k), y_k = ±1 ("On the Equivalence between Neural Network and Support Vector Machine").',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: PAPER, repo: 'leslie-CH/equiv-nn-svm' },
  create(_o, deps) {
    const k = numClassesOf(deps, 'hinge');
    return statelessObjective(classificationNeeds, ({ output, y }) => tf.sum(ovrMargins(output, y, k), -1));
  },
};

export const squaredHinge: LossEntry<z.infer<typeof schema>> = {
  name: 'squared-hinge',
  summary: 'Multiclass one-vs-rest squared hinge (L2-SVM) Σ_k max(0, 1 − y_k·f_k)² (Agarap 2018, GRU-SVM; equiv-nn-svm).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: PAPER },
  create(_o, deps) {
    const k = numClassesOf(deps, 'squared-hinge');
    return statelessObjective(classificationNeeds, ({ output, y }) => tf.sum(tf.square(ovrMargins(output, y, k)), -1));
  },
};
