import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossNeeds } from '../core/types.js';
import { embeddingOf, extraSlot, l2Normalize, lossSchema, statelessObjective, type LossEntry } from './common.js';
import { eye, pairwiseDistance, sameClass } from './pairs.js';

const schema = lossSchema({
  margin: z.number().positive().default(1).describe('m: dissimilar pairs closer than m are pushed apart (tfa contrastive_loss margin 1.0).'),
  normalize: z.boolean().default(true).describe('L2-normalise the embeddings first (distances then lie in [0, 2]); false: raw embeddings, as Hadsell et al.'),
});

/**
 * Contrastive loss (Hadsell, Chopra & LeCun, CVPR 2006, eq. 4) on every pair i < j of the batch:
 *   ℓ_ij = ½·[y_i = y_j]·d_ij² + ½·[y_i ≠ y_j]·max(0, m − d_ij)²,
 * d the Euclidean distance (computed as tensorflow_addons pairwise_distance, finite gradient at
 * d = 0); the loss is the mean over the b(b − 1)/2 pairs. No official code exists; the pair form
 * is tfa.losses.contrastive_loss's (without its ½ factors, which only rescale).
 */
export const contrastive: LossEntry<z.infer<typeof schema>> = {
  name: 'contrastive',
  summary: 'Contrastive loss: ½d² on same-class pairs, ½max(0, m − d)² on different-class pairs, over all pairs of the batch (Hadsell et al. 2006).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings', reduction: 'batch' },
  info: {
    group: 'metric learning: pair-based (train.sampler pk)',
    paper: 'Dimensionality Reduction by Learning an Invariant Mapping (Hadsell, Chopra & LeCun, CVPR 2006)',
    source: 'no official code; the pair loss of tensorflow/addons tensorflow_addons/losses/contrastive.py applied to every pair of the batch',
    sampler: 'pk (positive pairs in every batch); with shuffle most pairs are negatives',
  },
  create(o) {
    const needs: LossNeeds = { input: 'embeddings', reduction: 'batch', task: 'classification' };
    return statelessObjective(needs, (input) => {
      const raw = embeddingOf(input, needs, 'contrastive');
      const x = (o.normalize ? l2Normalize(raw) : raw) as tf.Tensor2D;
      const b = x.shape[0];
      const d = pairwiseDistance(x, false);
      const same = tf.sub(sameClass(input.y), eye(b));
      const diff = tf.sub(1, sameClass(input.y));
      const per = tf.mul(tf.add(tf.mul(same, tf.square(d)), tf.mul(diff, tf.square(tf.relu(tf.sub(o.margin, d))))), 0.5);
      // the ordered pairs count each unordered pair twice: Σ_{i≠j}/2 over b(b − 1)/2 pairs
      return b < 2 ? tf.scalar(0) : tf.div(tf.sum(per), b * (b - 1));
    });
  },
};
