import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossNeeds } from '../core/types.js';
import { embeddingOf, extraSlot, l2Normalize, lossSchema, statelessObjective, stopGradient, type LossEntry } from './common.js';
import { BIG, eye, masked, sameClass } from './pairs.js';

const schema = lossSchema({
  temperature: z.number().positive().default(0.07).describe('τ (SupConLoss temperature 0.07).'),
  base_temperature: z.number().positive().default(0.07).describe('τ_base: the loss is scaled by τ/τ_base (0.07).'),
  normalize: z.boolean().default(true).describe('L2-normalise the features first (SupConResNet normalises its head output; the loss expects it).'),
});

/**
 * SupCon (HobbitLong/SupContrast losses.py SupConLoss, contrast_mode 'all', one view per example:
 * the batch): logits = z·zᵀ/τ minus the row maximum (detached), the self-contrast masked out,
 *   log_prob_ij = logits_ij − log Σ_{a≠i} e^{logits_ia},
 *   ℓ_i = −(τ/τ_base)·Σ_{p∈P(i)} log_prob_ip / |P(i)|,
 * P(i) the other rows of i's class; a row without positives divides by 1 (the repository's
 * mask_pos_pairs guard), so it contributes 0 and still counts in the batch mean.
 */
export const supcon: LossEntry<z.infer<typeof schema>> = {
  name: 'supcon',
  summary: 'Supervised contrastive loss: every same-class example of the batch is a positive of the anchor (Khosla et al., NeurIPS 2020).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: {
    group: 'metric learning: pair-based (train.sampler pk)',
    paper: 'Supervised Contrastive Learning (Khosla et al., NeurIPS 2020)',
    source: 'HobbitLong/SupContrast losses.py (SupConLoss, defaults from it)',
    differences: 'one view per example (n_views = 1; upstream trains on two augmented crops, TwoCropTransform)',
    sampler: 'pk (several examples per class in every batch); with shuffle and many classes, rows without positives add 0',
    evaluation: 'train.retrieval {linear_probe: true}: linear-probe accuracy on the embedding',
  },
  create(o) {
    const needs: LossNeeds = { input: 'embeddings', reduction: 'per-example', task: 'classification' };
    return statelessObjective(needs, (input) => {
      const raw = embeddingOf(input, needs, 'supcon');
      const z2 = o.normalize ? l2Normalize(raw) : raw;
      const b = z2.shape[0]!;
      const dot = tf.div(tf.matMul(z2, z2, false, true), o.temperature);
      const logits = tf.sub(dot, stopGradient(tf.max(dot, 1, true)));
      const others = tf.sub(1, eye(b));
      const positives = tf.mul(sameClass(input.y), others);
      const logProb = tf.sub(logits, tf.logSumExp(masked(others, logits, -BIG), 1, true));
      const count = tf.sum(positives, 1);
      const meanPos = tf.div(tf.sum(tf.mul(positives, logProb), 1), tf.add(count, tf.sub(1, tf.step(count))));
      return tf.mul(meanPos, -(o.temperature / o.base_temperature));
    });
  },
};
