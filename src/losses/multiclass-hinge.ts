/**
 * Multiclass margin losses on raw scores, as optax defines them (optax/_src/losses/classification.py
 * multiclass_hinge_loss, multiclass_perceptron_loss): max_k(z_k + 1 − [k = y]) − z_y (Crammer & Singer)
 * and max_k z_k − z_y (the perceptron). Both are 0 exactly when z_y wins (by the margin 1 for the hinge).
 */
import type { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({});

export const crammerSinger: LossEntry<z.infer<typeof schema>> = {
  name: 'crammer-singer',
  summary: 'Crammer–Singer multiclass hinge max(0, 1 + max_{k≠y} z_k − z_y) ("On the Algorithmic Implementation of Multiclass Kernel-based Vector Machines", Crammer & Singer 2001).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'On the Algorithmic Implementation of Multiclass Kernel-based Vector Machines (Crammer & Singer, JMLR 2001)', source: 'google-deepmind/optax optax/_src/losses/classification.py multiclass_hinge_loss' },
  create(_o, deps) {
    const k = numClassesOf(deps, 'crammer-singer');
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const q = oneHot(y, k);
      return tf.sub(tf.max(tf.sub(tf.add(output, 1), q), -1), rowDot(output, q));
    });
  },
};

export const perceptron: LossEntry<z.infer<typeof schema>> = {
  name: 'perceptron',
  summary: 'Multiclass perceptron loss max_k z_k − z_y (Collins 2002, as in optax: the margin-0 limit of the Crammer–Singer hinge).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Discriminative Training Methods for Hidden Markov Models: Theory and Experiments with Perceptron Algorithms (Collins, EMNLP 2002), as optax cites it', source: 'google-deepmind/optax optax/_src/losses/classification.py multiclass_perceptron_loss' },
  create(_o, deps) {
    const k = numClassesOf(deps, 'perceptron');
    return statelessObjective(classificationNeeds, ({ output, y }) => tf.sub(tf.max(output, -1), rowDot(output, oneHot(y, k))));
  },
};
